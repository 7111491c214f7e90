// `aunce setup` checks its flags before it runs the set-up (which the package test runs for real).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.ts";

test("setup: a bad engine, both an engine and a folder, or a missing folder are refused in one line", async (t) => {
  const bad = await runCli(t, "setup", "--engine", "cuda");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^aunce: --engine: expected one of auto, python, local, debian, got 'cuda'$/);
  const both = await runCli(t, "setup", "--engine", "debian", "--libtorch-dir", "/opt/libtorch");
  assert.equal(both.code, 1);
  assert.match(both.err, /--engine and --libtorch_dir: give one of them/);
  const missing = await runCli(t, "setup", "--libtorch_dir", "/nonexistent/libtorch");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^aunce: --libtorch_dir: \/nonexistent\/libtorch does not exist$/);
});
