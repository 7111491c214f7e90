import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildProgram } from "../../src/cli/main.ts";
import { loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { writeAunceCheckpoint } from "../../src/models/checkpoint/aunce-format.ts";
import { rawTensor, type RawDType, type RawStateDict } from "../../src/models/checkpoint/raw.ts";
import { createAuModel, type AuModelSpec } from "../../src/models/registry.ts";
import { manualSeed, toBytes } from "../../src/tensor/index.ts";
import { maxAbsDiff, runOrt, seededInput } from "../export/helpers.ts";
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

test("export <checkpoint>: a supervised checkpoint's AUs, crop size and outputs; no machine paths in the files", async (t) => {
  const dir = makeTempDir("aunce-export-ck-");
  manualSeed(41);
  const spec: AuModelSpec = { backbone: "resnet_tiny", numAus: 3, method: "megraphau", neighbours: 2 };
  const net = createAuModel(spec);
  const sd: RawStateDict = new Map();
  for (const [k, v] of net.stateDict()) sd.set(k, rawTensor(v.dtype as RawDType, [...v.shape], toBytes(v)));
  net.dispose();
  const ck = join(dir, "sup.safetensors");
  const normalisation = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
  await writeAunceCheckpoint(ck, { meta: { aus: [6, 12, 25], backbone: "resnet_tiny", normalisation, config: { model: spec, train: { crop_size: 64 } } }, model: sd });
  const out = join(dir, "out");
  const r = await runCli(t, "export", ck, "-o", out);
  assert.equal(r.code, 0, r.err);
  const text = readFileSync(join(out, "au-model.json"), "utf8");
  const side = JSON.parse(text) as { aus: number[]; auNames: string[]; networkInputSize: number; normalisation: unknown; description: string; licence: string };
  assert.deepEqual(side.aus, [6, 12, 25]);
  assert.deepEqual(side.auNames, ["AU06", "AU12", "AU25"]);
  assert.equal(side.networkInputSize, 64);
  assert.deepEqual(side.normalisation, normalisation);
  assert.equal(side.description, "resnet_tiny (sup.safetensors)");
  assert.match(side.licence, /as the checkpoint's owner states/);
  const bytes = new Uint8Array(readFileSync(join(out, "au-model.onnx")));
  assert.ok(!text.includes(dir) && !Buffer.from(bytes).includes(dir), "no machine paths in the sidecar or the graph");
  const model = await loadAuModelFromCheckpoint(ck);
  const x = seededInput([2, 3, 224, 224], 42);
  const ref = model.predict(x);
  const got = await runOrt(bytes, "crops", x, "probabilities");
  const d = maxAbsDiff(got.data, ref.data<"float32">());
  x.dispose();
  ref.dispose();
  model.dispose?.();
  assert.ok(d <= 1e-4, `max |onnx - libtorch| = ${d}`);
});
