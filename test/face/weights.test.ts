import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { faceApiAssetsDir, readTfWeights } from "../../src/face/weights.ts";
import { makeTempDir } from "../helpers/tmp.ts";

function writeModel(dir: string, weights: object[], shard: Buffer): string {
  writeFileSync(join(dir, "m.bin"), shard);
  const manifest = join(dir, "m.json");
  writeFileSync(manifest, JSON.stringify([{ paths: ["m.bin"], weights }]));
  return manifest;
}

test("readTfWeights dequantises uint8/uint16 (q * scale + min), reads float32 and int32 in manifest order", () => {
  const dir = makeTempDir("tfw-");
  const shard = Buffer.alloc(3 + 4 + 8 + 4);
  shard.set([0, 10, 255], 0); // uint8
  shard.writeUInt16LE(0, 3); shard.writeUInt16LE(1000, 5); // uint16
  shard.writeFloatLE(1.5, 7); shard.writeFloatLE(-2.25, 11); // float32
  shard.writeInt32LE(-7, 15); // int32
  const m = writeModel(dir, [
    { name: "a", shape: [3], dtype: "float32", quantization: { dtype: "uint8", scale: 0.5, min: -1 } },
    { name: "b", shape: [2], dtype: "float32", quantization: { dtype: "uint16", scale: 0.001, min: 2 } },
    { name: "c", shape: [2, 1], dtype: "float32" },
    { name: "d", shape: [], dtype: "int32" },
  ], shard);
  const w = readTfWeights(m);
  assert.deepEqual([...w.get("a")!.data], [-1, 4, 126.5]);
  assert.deepEqual([...w.get("b")!.data].map((v) => Math.round(v * 1e6) / 1e6), [2, 3]);
  assert.deepEqual([...w.get("c")!.data], [1.5, -2.25]);
  assert.deepEqual(w.get("c")!.shape, [2, 1]);
  assert.deepEqual([...w.get("d")!.data], [-7]);
});

test("readTfWeights names the file when a shard is missing or too short", () => {
  const dir = makeTempDir("tfw-");
  const m = writeModel(dir, [{ name: "a", shape: [8], dtype: "float32" }], Buffer.alloc(4));
  assert.throws(() => readTfWeights(m), /m\.json: tensor 'a' \[8\] needs bytes 0\.\.32, shards hold 4/);
  writeFileSync(m, JSON.stringify([{ paths: ["gone.bin"], weights: [] }]));
  assert.throws(() => readTfWeights(m), /shard .*gone\.bin named by .*m\.json is missing/);
  assert.throws(() => readTfWeights(join(dir, "nope.json")), /cannot read weights manifest .*nope\.json/);
});

test("the bundled face-api manifests decode completely (5118 SSD anchors, landmark FC 256x136)", () => {
  const dir = faceApiAssetsDir();
  const ssd = readTfWeights(join(dir, "ssd_mobilenetv1_model-weights_manifest.json"));
  const anchors = ssd.get("Output/extra_dim")!;
  assert.deepEqual(anchors.shape, [1, 5118, 4]);
  // Anchors are (y0, x0, y1, x1) boxes around 0..1 with positive sizes.
  for (let i = 0; i < 5118 * 4; i += 4) assert.ok(anchors.data[i + 2] > anchors.data[i] && anchors.data[i + 3] > anchors.data[i + 1]);
  const lm = readTfWeights(join(dir, "face_landmark_68_model-weights_manifest.json"));
  assert.deepEqual(lm.get("fc/weights")!.shape, [256, 136]);
  assert.equal(lm.size, 49);
});
