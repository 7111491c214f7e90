import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../helpers/cli.ts";
import { figures, matchesRecordedRun } from "../helpers/demo-results.ts";

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

test("demo runs the whole job on SynthAU and prints both F1 tables", async (t) => {
  const { mkdtempSync, existsSync, readFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const out = join(mkdtempSync(join(tmpdir(), "aunce-demo-")), "demo");
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

test("demo refuses a folder it did not make, and bad numbers", async (t) => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "aunce-demo-"));
  writeFileSync(join(dir, "precious.txt"), "keep me");
  const r = await runCli(t, "demo", "--out", dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /exists and is not a demo folder/);
  const bad = await runCli(t, "demo", "--epochs", "zero");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--epochs must be an integer >= 1, got 'zero'/);
});
