import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.ts";

test("doctor reports the engine: OpenBLAS mapped (set-up installs it), all cores, a real matmul speed", async (t) => {
  const r = await runCli(t, "doctor", "--json");
  assert.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  assert.equal(info.blas, "OpenBLAS", `BLAS in use: ${info.blasLibrary}`);
  assert.equal(info.threads, (await import("node:os")).availableParallelism());
  assert.equal(info.cuda, false);
  assert.match(info.libtorch, /^\d+\.\d+/);
  assert.ok(info.matmulGflops > 0);
});

test("demo trains: the loss falls over the smoke run", async (t) => {
  const r = await runCli(t, "demo", "--steps", "20");
  assert.equal(r.code, 0, r.err);
  const losses = [...r.out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.ok(losses.length >= 2 && losses.at(-1)! < losses[0], `losses ${losses}`);
});

test("demo rejects a bad step count", async (t) => {
  const r = await runCli(t, "demo", "--steps", "zero");
  assert.equal(r.code, 1);
  assert.match(r.err, /--steps must be a positive integer, got 'zero'/);
});
