import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AUNCE_FORMAT_VERSION,
  encodeAunceCheckpoint,
  parseAunceCheckpoint,
  readAunceCheckpoint,
  writeAunceCheckpoint,
  type AunceCheckpoint,
} from "../../../src/models/checkpoint/aunce-format.ts";
import { rawEqual } from "../../../src/models/checkpoint/raw.ts";
import { readSafetensors, safetensorsChunks } from "../../../src/models/checkpoint/safetensors.ts";
import { fixture } from "./helpers.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

const sample = (): AunceCheckpoint => ({
  meta: {
    aus: [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24],
    backbone: "swin_b",
    normalisation: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    config: { tau: 0.5, head: { k: 4 }, folds: [1, 2, 3] },
  },
  model: new Map([
    ["global_linear.0.weight", { dtype: "float32", shape: [2, 2], data: new Uint8Array(16).map((_, i) => i) }],
    ["head.gnn.bn_v.num_batches_tracked", { dtype: "int64", shape: [], data: new Uint8Array(8).fill(3) }],
  ]),
  training: {
    state: { epoch: 4, step: 1200, seed: 7 },
    tensors: new Map([["adam.exp_avg.global_linear.0.weight", { dtype: "float32", shape: [2, 2], data: new Uint8Array(16).fill(9) }]]),
  },
});

test("write -> read round-trips weights, metadata and training state", async () => {
  const dir = makeTempDir("aunce-ck-");
  const path = join(dir, "run.safetensors");
  const ck = sample();
  await writeAunceCheckpoint(path, ck);
  const back = await readAunceCheckpoint(path);
  assert.deepEqual(back.meta, ck.meta);
  assert.deepEqual(back.training!.state, ck.training!.state);
  assert.deepEqual([...back.model.keys()], [...ck.model.keys()]);
  for (const [k, t] of ck.model) assert.ok(rawEqual(back.model.get(k)!, t), k);
  for (const [k, t] of ck.training!.tensors!) assert.ok(rawEqual(back.training!.tensors!.get(k)!, t), k);
  // A plain safetensors reader sees JSON strings under aunce.* keys and prefixed training tensors.
  const plain = await readSafetensors(path);
  assert.equal(plain.metadata["aunce.format_version"], String(AUNCE_FORMAT_VERSION));
  assert.deepEqual(JSON.parse(plain.metadata["aunce.aus"]), ck.meta.aus);
  assert.equal(plain.metadata["aunce.backbone"], "swin_b");
  assert.ok(plain.tensors.has("training/adam.exp_avg.global_linear.0.weight"));
});

test("without training state there is none on read", () => {
  const ck = sample();
  delete ck.training;
  const back = parseAunceCheckpoint(Buffer.concat(encodeAunceCheckpoint(ck)));
  assert.equal(back.training, undefined);
});

test("bad metadata is refused on write and on read, naming the field", async () => {
  const bad = sample();
  bad.meta.normalisation = { mean: [0.5, 0.5], std: [0.5] };
  assert.throws(() => encodeAunceCheckpoint(bad), /aunce\.normalisation must be \{mean: number\[\], std: number\[\]\} of equal length/);
  const noAus = sample();
  noAus.meta.aus = [];
  assert.throws(() => encodeAunceCheckpoint(noAus), /aunce\.aus must be a non-empty list/);
  await assert.rejects(readAunceCheckpoint(fixture("net.safetensors")), /net\.safetensors: not an aunce checkpoint: metadata 'aunce\.format_version' is missing/);
});

test("a newer format version is refused", async () => {
  const { tensors, metadata } = await readSafetensors(fixture("net.safetensors"));
  const base = Object.fromEntries(Object.entries(sample().meta).map(([k, v]) => [`aunce.${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
  const newer = Buffer.concat(safetensorsChunks(tensors, { ...metadata, ...base, "aunce.format_version": String(AUNCE_FORMAT_VERSION + 1) }));
  assert.throws(() => parseAunceCheckpoint(newer, "new.safetensors"), /new\.safetensors: aunce checkpoint format 2 is newer than this version reads \(1\)/);
  const same = Buffer.concat(safetensorsChunks(tensors, { ...base, "aunce.format_version": String(AUNCE_FORMAT_VERSION) }));
  assert.equal(parseAunceCheckpoint(same).meta.backbone, "swin_b");
});
