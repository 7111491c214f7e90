// Declared sizes outside the checkpoint readers: tfjs weight manifests claiming more bytes than
// their shards hold (or malformed entries), and label files too big to be label files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTfWeights } from "../../src/face/weights.ts";
import { DataFormatError } from "../../src/data/issues.ts";
import { MAX_LABEL_FILE_BYTES, readRows } from "../../src/data/text-files.ts";

const shard = new Uint8Array(8);
const manifest = (weights: unknown[], paths: unknown[] = ["s1"]) => [{ paths, weights }];
const parse = (doc: unknown) => parseTfWeights(doc, () => shard, "m.json");

test("tfjs manifests: more bytes than the shards hold are refused before the tensor is allocated", () => {
  assert.throws(() => parse(manifest([{ name: "w", shape: [1e6, 1e6], dtype: "float32" }])), /readTfWeights: m\.json: tensor 'w' \[1000000,1000000\] needs bytes 0\.\.4000000000000, shards hold 8/);
  const q = { name: "q", shape: [9], dtype: "float32", quantization: { dtype: "uint8", scale: 1, min: 0 } };
  assert.throws(() => parse(manifest([q])), /tensor 'q' \[9\] needs bytes 0\.\.9, shards hold 8/);
  assert.equal(parse(manifest([{ ...q, shape: [8] }])).get("q")!.data.length, 8);
});

test("tfjs manifests: malformed entries and shard paths leaving the folder are refused by name", () => {
  const cases: [unknown, RegExp][] = [
    [{ paths: [] }, /m\.json: a weights manifest is a JSON list of groups/],
    [[{ paths: "s1", weights: [] }], /group 0 must be \{paths: \[\.\.\.\], weights: \[\.\.\.\]\}/],
    [manifest([], ["../../etc/passwd"]), /group 0: shard path "\.\.\/\.\.\/etc\/passwd" is not a file name/],
    [manifest([{ name: "w", shape: [-1], dtype: "float32" }]), /tensor 'w': shape must be a list of non-negative integers, got \[-1\]/],
    [manifest([{ name: "w", shape: ["2"], dtype: "float32" }]), /tensor 'w': shape must be a list of non-negative integers/],
    [manifest([{ name: "w", shape: [1], dtype: "complex64" }]), /tensor 'w': dtype "complex64" is not float32 or int32/],
    [manifest([{ name: "w", shape: [1], dtype: "float32", quantization: { dtype: "int4" } }]), /quantization dtype must be uint8, uint16 or float16/],
    [manifest([{ name: "w", shape: [1], dtype: "float32", quantization: { dtype: "uint8", scale: "x" } }]), /quantization scale must be a finite number/],
    [manifest([{ shape: [1], dtype: "float32" }]), /group 0 weight 0 must be an object with a string name/],
  ];
  for (const [doc, re] of cases) assert.throws(() => parse(doc), re);
});

test("label files over the size limit are refused before reading, with a DataFormatError naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "aunce-labels-"));
  try {
    const file = join(dir, "F001_T1.csv");
    writeFileSync(file, "0,1\n1,0\n");
    assert.deepEqual(readRows(file).map((r) => r.text), ["0,1", "1,0"]);
    truncateSync(file, MAX_LABEL_FILE_BYTES + 1); // sparse: nothing is written
    assert.throws(() => readRows(file), (e: unknown) => e instanceof DataFormatError && /F001_T1\.csv: label file is 67108865 bytes, over the 67108864-byte limit/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
