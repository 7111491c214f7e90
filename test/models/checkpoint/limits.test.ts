// Declared sizes are refused before anything is allocated: safetensors headers, zip members (bombs),
// pickles (nesting, integer size, shared trees), tensor views. Each case names the limit it hits.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { parseCheckpoint } from "../../../src/models/checkpoint/load.ts";
import { MAX_INT_DIGITS, MAX_MARK_DEPTH, unpickle } from "../../../src/models/checkpoint/pickle.ts";
import { parseSafetensors } from "../../../src/models/checkpoint/safetensors.ts";
import { findStateDict, flattenTree, MAX_TREE_DEPTH } from "../../../src/models/checkpoint/state-dict.ts";
import { gatherStrided } from "../../../src/models/checkpoint/strided.ts";
import { torchPolicy } from "../../../src/models/checkpoint/torch-pickle.ts";
import { readZip } from "../../../src/models/checkpoint/zip.ts";

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const noStorage = torchPolicy("t.pkl", () => {
  throw new Error("t.pkl: no storages here");
});
const load = (b: Uint8Array) => unpickle(b, noStorage, "t.pkl").value;

function safetensors(header: object, dataBytes = 0): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

interface Member {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Uncompressed size written in the headers instead of the real one. */
  declared?: number;
}

/** A minimal zip archive (no ZIP64), each member stored or deflated. */
function zip(members: Member[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const body = m.deflate ? zlib.deflateRawSync(m.data) : Buffer.from(m.data);
    const crc = zlib.crc32(m.data) >>> 0;
    const size = m.declared ?? m.data.byteLength;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, eocd]));
}

test("safetensors: a header claiming a 1 TB tensor, or offsets past the file, is refused from the header alone", () => {
  const tb = safetensors({ w: { dtype: "U8", shape: [1e12], data_offsets: [0, 1e12] } }, 16);
  assert.throws(() => parseSafetensors(tb, "tb.safetensors"), /tb\.safetensors: invalid safetensors: tensor 'w' ends at byte 1000000000000, past the end of the data \(16 bytes\)/);
  const past = safetensors({ w: { dtype: "F32", shape: [2], data_offsets: [8, 16] }, v: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 8);
  assert.throws(() => parseSafetensors(past, "p.safetensors"), /tensor 'w' ends at byte 16, past the end of the data \(8 bytes\)/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  assert.throws(() => parseSafetensors(huge, "h.safetensors"), /header length 1099511627776 exceeds the 100000000-byte limit/);
});

test("zip: deflated members are read through yauzl; a member declaring a huge size or a bomb ratio is refused before inflating", async () => {
  const text = new Uint8Array(Buffer.from("hello ".repeat(50)));
  const ok = await readZip(zip([{ name: "a/b.txt", data: text, deflate: true }, { name: "a/s", data: text }]), "ok.zip");
  assert.deepEqual(Buffer.from(await ok.get("a/b.txt")!.read()), Buffer.from(text));
  assert.deepEqual(Buffer.from(await ok.get("a/s")!.read()), Buffer.from(text));

  // 4 GiB declared from a few compressed bytes: over both the size limit and deflate's ratio.
  const bomb = zip([{ name: "x/data.pkl", data: new Uint8Array(10), deflate: true, declared: 0xfffffff0 }]);
  await assert.rejects(readZip(bomb, "bomb.pth"), /bomb\.pth: corrupt zip archive: 'x\/data\.pkl' declares 4294967280 uncompressed bytes, over the 1073741824-byte limit/);
  // Under the size limit but a ratio deflate cannot reach.
  const ratio = zip([{ name: "x/data.pkl", data: new Uint8Array(10), deflate: true, declared: 50_000_000 }]);
  await assert.rejects(readZip(ratio, "ratio.pth"), /ratio\.pth: corrupt zip archive: 'x\/data\.pkl' declares 50000000 bytes from \d+ compressed \(ratio over 1100/);
  // A real (honestly declared) bomb: 8 MiB of zeros deflates ~1000:1, refused by a caller's smaller size limit.
  const zeros = zip([{ name: "x/z", data: new Uint8Array(8 << 20), deflate: true }]);
  await assert.rejects(readZip(zeros, "z.zip", { maxInflatedBytes: 1 << 20, maxRatio: 1100 }), /'x\/z' declares 8388608 uncompressed bytes, over the 1048576-byte limit/);
  // A size that lies low: inflation stops at the declared size.
  const liar = zip([{ name: "x/l", data: text, deflate: true, declared: 10 }]);
  await assert.rejects((await readZip(liar, "liar.zip")).get("x/l")!.read(), /liar\.zip: corrupt zip archive: 'x\/l': /);
  // Through the checkpoint reader too.
  await assert.rejects(parseCheckpoint(bomb, "bomb.pth"), /bomb\.pth: corrupt zip archive: .* over the 1073741824-byte limit/);
});

test("pickle: nesting, integer sizes and shared trees are bounded with named errors", () => {
  assert.throws(() => load(latin1("(".repeat(MAX_MARK_DEPTH + 1))), new RegExp(`t\\.pkl: MARKs nested deeper than ${MAX_MARK_DEPTH} at byte ${MAX_MARK_DEPTH}`));
  assert.throws(() => load(latin1(`L${"9".repeat(MAX_INT_DIGITS + 1)}L\n.`)), /t\.pkl: integer literal of 4301 digits is over the 4300-digit limit/);
  const long4 = new Uint8Array([0x8b, 0x00, 0x20, 0x00, 0x00, ...new Uint8Array(0x2000), 0x2e]);
  assert.throws(() => load(long4), /t\.pkl: integer of 8192 bytes at byte 5 is over the 4096-byte limit/);
  // 1000 bytes of LONG4 still decode (linear conversion), as two's complement.
  assert.equal(load(new Uint8Array([0x8b, 0xe8, 0x03, 0, 0, ...new Uint8Array(1000).fill(0xff), 0x2e])), -1);
  // APPENDS of 200k items (spreading that many arguments overflows the call stack).
  const many = new Uint8Array([0x5d, 0x28, ...Array.from({ length: 200_000 }, () => 0x4e), 0x65, 0x2e]);
  assert.equal((load(many) as unknown[]).length, 200_000);

  // Lists nested by APPEND need no MARK: the tree walk bounds their depth.
  const deep = load(latin1("]".repeat(MAX_TREE_DEPTH + 2) + "a".repeat(MAX_TREE_DEPTH + 1) + "."));
  assert.throws(() => flattenTree(deep, "deep.pth"), new RegExp(`deep\\.pth: object tree is nested deeper than ${MAX_TREE_DEPTH} levels`));
  // A list that contains itself (memo) is a recursive reference, not an endless walk.
  const cyclic = load(latin1("]q\x00h\x00a."));
  assert.deepEqual([...flattenTree(cyclic).scalars], [["0", "<recursive reference>"]]);
  // 40 levels of [prev, prev] name 2^40 leaves from 200 bytes.
  const shared = load(latin1("N" + "q\x00h\x00\x86".repeat(40) + "."));
  assert.throws(() => flattenTree(shared, "dag.pth"), /dag\.pth: object tree has more than 200000 values/);
});

test("values shown in messages and key paths never stringify a shared tuple tree (2^40 leaves from 200 bytes)", { timeout: 20_000 }, () => {
  const dag = "N" + "q\x00h\x00\x86".repeat(40);
  assert.throws(() => load(latin1(dag + "Q.")), /t\.pkl: unsupported persistent id tuple '<tuple>' \(only storages are allowed\)/);
  const keyed = load(latin1("}" + dag + "Ns."));
  assert.deepEqual([...flattenTree(keyed).scalars], [["<tuple>", null]]);
  assert.throws(() => findStateDict(keyed, "k.pth"), /k\.pth: no state dict found .*root keys: <tuple>/);
});

test("tensor views: huge pickled shapes over small storages and negative sizes are refused before allocating", () => {
  const storage = new Uint8Array(4);
  assert.throws(() => gatherStrided(storage, 4, 0, [1_000_000, 1_000_000], [0, 0], "big"), /big: size \[1000000, 1000000\] holds 1000000000000 elements, more than its storage of 1 can give/);
  assert.throws(() => gatherStrided(storage, 1, 0, [-1, 2], [1, 1], "neg"), /neg: size \[-1, 2\] has a negative dimension/);
  // A modest expanded view still materialises.
  assert.deepEqual([...gatherStrided(new Uint8Array([7]), 1, 0, [2, 3], [0, 0], "ok")], [7, 7, 7, 7, 7, 7]);
});
