import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { figures, matchesRecordedRun } from "../helpers/demo-results.ts";

test("doctor reports the engine: a fast BLAS (OpenBLAS mapped for Debian's, MKL in the wheels), all cores, a real matmul speed", async (t) => {
  const r = await runCli(t, "doctor", "--json");
  assert.equal(r.code, 0, r.err);
  const info = JSON.parse(r.out);
  const { engineRecord } = await import("../../src/tensor/index.ts");
  const kind = engineRecord()?.kind;
  assert.ok(kind, "the addon carries its engine record (built by scripts/setup.mjs)");
  assert.equal(info.engine, engineRecord()?.origin);
  if (kind === "debian") assert.equal(info.blas, "OpenBLAS", `BLAS in use: ${info.blasLibrary}`);
  else assert.match(info.blas, /^(MKL|OpenBLAS)/, `BLAS in use: ${info.blasLibrary}`);
  assert.match(info.onednn, /^\d+\.\d+/);
  assert.equal(info.threads, (await import("node:os")).availableParallelism());
  assert.equal(info.cuda, false);
  assert.match(info.libtorch, /^\d+\.\d+/);
  assert.ok(info.matmulGflops > 0);
});

test("demo runs the whole job on SynthAU and prints both F1 tables", async (t) => {
  const { existsSync, readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const out = join(makeTempDir("aunce-demo-"), "demo");
  const args = ["demo", "--out", out, "--subjects", "6", "--sequences", "1", "--frames", "10", "--size", "48", "--crop", "40",
    "--backbone", "resnet_tiny", "--epochs", "1", "--batch-size", "4", "--linear-epochs", "3"];
  const r = await runCli(t, ...args);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\| AU \| AUNCE \+ linear eval \| supervised baseline \|/);
  for (const au of ["AU01 inner brow raiser", "AU12 lip corner puller", "AU24 lip pressor"]) assert.match(r.out, new RegExp(`\\| ${au} \\| \\d+\\.\\d \\| \\d+\\.\\d \\|`));
  assert.match(r.out, /How to read this/);
  for (const f of ["report.md", "f1.svg", "loss.svg", "metrics.json", "summary.json", "runs/aunce/last.safetensors", "runs/supervised/evaluate/report.md", "synth/AUCoding/AU_OCC"]) assert.ok(existsSync(join(out, f)), f);
  const demo = JSON.parse(readFileSync(join(out, "demo.json"), "utf8"));
  assert.ok(demo.meanF1.aunce >= 0 && demo.meanF1.supervised >= 0);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  assert.equal(summary.defaultConfig, false);
  await matchesRecordedRun(t, summary, `node bin/aunce.mjs ${args.join(" ").replace(out, "<out>")}`);
  const again = await runCli(t, ...args); // re-runnable: the demo folder is recreated
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(figures(JSON.parse(readFileSync(join(out, "summary.json"), "utf8"))), figures(summary), "same figures on a rerun");
});

test("a failure recorded before a command (process.exitCode) is not that command's exit code, and is kept", async (t) => {
  const before = process.exitCode;
  process.exitCode = 7;
  try {
    const r = await runCli(t, "doctor", "--json");
    assert.equal(r.code, 0, r.err);
    assert.equal(process.exitCode, 7);
  } finally {
    process.exitCode = before;
  }
});

test("demo refuses a folder it did not make, and bad numbers", async (t) => {
  const { writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const dir = makeTempDir("aunce-demo-");
  writeFileSync(join(dir, "precious.txt"), "keep me");
  const r = await runCli(t, "demo", "--out", dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /exists and is not a demo folder/);
  const bad = await runCli(t, "demo", "--epochs", "zero");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--epochs must be an integer >= 1, got 'zero'/);
});
