import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from "../../../src/models/checkpoint/safetensors.ts";
import { RAW_DTYPES, rawEqual, type RawStateDict } from "../../../src/models/checkpoint/raw.ts";
import { fixture } from "./helpers.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

test("reads the Python-written twin: every dtype, shapes, metadata", async () => {
  const { tensors, metadata } = await readSafetensors(fixture("dtypes.safetensors"));
  assert.deepEqual(metadata, { source: "checkpoints.py", note: "twin of dtypes.pth" });
  assert.deepEqual(new Set([...tensors.values()].map((t) => t.dtype)), new Set(RAW_DTYPES));
  assert.deepEqual(tensors.get("i32")!.shape, [2, 2]);
  assert.deepEqual(tensors.get("scalar")!.shape, []);
  assert.deepEqual(tensors.get("empty")!.shape, [0, 3]);
  assert.equal(tensors.get("empty")!.data.byteLength, 0);
  // Order is the file's data order (the writer's insertion order).
  assert.deepEqual([...tensors.keys()].slice(0, 3), ["f32", "f32_special", "f16"]);
});

test("our writer reproduces the fixture script's Python writer byte for byte (same spec, separate code)", async () => {
  const bytes = await readFile(fixture("dtypes.safetensors"));
  const { tensors, metadata } = parseSafetensors(bytes);
  const ours = serializeSafetensors(tensors, metadata);
  assert.equal(Buffer.compare(Buffer.from(ours), bytes), 0);
});

test("write -> read round-trips, header padded to 8 bytes, atomic (no temp files left)", async () => {
  const dir = makeTempDir("aunce-st-");
  const path = join(dir, "w.safetensors");
  const sd: RawStateDict = new Map([
    ["b", { dtype: "bfloat16", shape: [3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) }],
    ["10", { dtype: "int64", shape: [1], data: new Uint8Array(8).fill(7) }],
    ["a.weight", { dtype: "bool", shape: [2, 1], data: new Uint8Array([1, 0]) }],
  ]);
  await writeFile(path, "old contents");
  await writeSafetensors(path, sd, { k: "v" });
  const back = await readSafetensors(path);
  assert.deepEqual([...back.tensors.keys()], ["b", "10", "a.weight"], "integer-like names keep their place");
  for (const [k, t] of sd) assert.ok(rawEqual(t, back.tensors.get(k)!), k);
  assert.deepEqual(back.metadata, { k: "v" });
  const raw = await readFile(path);
  assert.equal(Number(raw.readBigUInt64LE(0)) % 8, 0);
  assert.deepEqual(await readdir(dir), ["w.safetensors"]);
});

test("writer rejects a tensor whose bytes do not match its shape, naming it", () => {
  const sd: RawStateDict = new Map([["w", { dtype: "float32", shape: [2, 2], data: new Uint8Array(12) }]]);
  assert.throws(() => serializeSafetensors(sd), /tensor 'w': float32 \[2, 2\] needs 16 bytes, got 12/);
  const reserved: RawStateDict = new Map([["__metadata__", { dtype: "uint8", shape: [0], data: new Uint8Array(0) }]]);
  assert.throws(() => serializeSafetensors(reserved), /reserved/);
});

/** A file from a raw header object and data length. */
function file(header: unknown, dataLen: number, rawHeader?: string): Uint8Array {
  const json = Buffer.from(rawHeader ?? JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + dataLen);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

test("corrupt headers are rejected with messages naming the problem and the tensor", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /shorter than the 8-byte header length/],
    [(() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n); return b; })(), /header length 1000 runs past the end/],
    [(() => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1n << 40n); return b; })(), /exceeds the 100000000-byte limit/],
    [file(null, 0, "[1,2]"), /must start with '\{'/],
    [file(null, 0, "{oops"), /not valid JSON/],
    [file({ w: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, 1), /tensor 'w': unsupported dtype "F8_E4M3"/],
    [file({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4), /tensor 'w': shape must be an array of non-negative integers/],
    [file({ w: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, 4), /tensor 'w': F32 \[2\] needs 8 bytes but data_offsets \[0, 4\] span 4/],
    [file({ w: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, 4), /tensor 'w': data_offsets must be \[begin, end\]/],
    [file({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] }, b: { dtype: "U8", shape: [4], data_offsets: [2, 6] } }, 6), /tensor 'b' \(bytes 2\.\.6\) overlaps 'a'/],
    [file({ a: { dtype: "U8", shape: [2], data_offsets: [0, 2] }, b: { dtype: "U8", shape: [2], data_offsets: [4, 6] } }, 6), /gap of 2 bytes before tensor 'b'/],
    [file({ a: { dtype: "U8", shape: [8], data_offsets: [0, 8] } }, 4), /tensor 'a' ends at byte 8, past the end of the data \(4 bytes\)/],
    [file({ a: { dtype: "U8", shape: [2], data_offsets: [0, 2] } }, 5), /3 bytes after the last tensor/],
    [file({ __metadata__: { n: 3 } }, 0), /__metadata__\["n"\] must be a string/],
  ];
  for (const [bytes, re] of cases) assert.throws(() => parseSafetensors(bytes, "bad.safetensors"), (e: Error) => {
    assert.match(e.message, /^bad\.safetensors: invalid safetensors: /);
    assert.match(e.message, re);
    return true;
  });
});

test("a missing file is reported by path", async () => {
  await assert.rejects(readSafetensors("/nonexistent/x.safetensors"), /\/nonexistent\/x\.safetensors: no such file/);
});
