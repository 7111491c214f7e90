import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildProgram } from "../../src/cli/main.ts";
import { runCli } from "../helpers/cli.ts";
import { makeTempDir } from "../helpers/tmp.ts";

test("export --help shows the model argument, the format default and -o", () => {
  const help = buildProgram().commands.find((c) => c.name() === "export")!.helpInformation();
  const r = { out: help };
  assert.match(r.out, /Usage: aunce export \[options\] <model>/);
  assert.match(r.out, /--format <format>\s+export format \(onnx\) \(default: "onnx"\)/);
  assert.match(r.out, /-o, --output <dir>/);
});

test("export: clear errors for bad input, before any work", async (t) => {
  const dir = makeTempDir("aunce-export-cli-");
  const out = join(dir, "out");
  const cases: [string[], RegExp][] = [
    [["export", "bundled", "--format", "tflite", "-o", out], /--format: expected one of onnx, got 'tflite'/],
    [["export", "bundled"], /-o\/--output: give the folder to write the exported files into/],
    [["export", join(dir, "nope.safetensors"), "-o", out], /nope\.safetensors: no such file \(give a checkpoint from `aunce train --supervised`, or 'bundled'\)/],
    [["export", dir, "-o", out], /is a folder; give the checkpoint file in it/],
  ];
  const file = join(dir, "a-file");
  writeFileSync(file, "x");
  cases.push([["export", "bundled", "-o", join(file, "sub")], /-o .*a-file\/sub: cannot write there \(.*a-file is a file, not a folder\)/]);
  const bad = join(dir, "bad.safetensors");
  writeFileSync(bad, "not a checkpoint");
  mkdirSync(join(dir, "out2"));
  for (const [args, msg] of cases) {
    const r = await runCli(t, ...args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, msg);
  }
  assert.ok(!existsSync(out), "nothing written when the input is bad");
  // A file that is not a checkpoint fails with the reader's message, and writes no model.
  const r = await runCli(t, "export", bad, "-o", join(dir, "out2"));
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.safetensors/);
  assert.ok(!existsSync(join(dir, "out2", "au-model.onnx")));
});
