import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseTorchCheckpoint, readTorchCheckpoint } from "../../../src/models/checkpoint/pth.ts";
import { readSafetensors } from "../../../src/models/checkpoint/safetensors.ts";
import { isRawTensor, rawEqual, type RawTensor } from "../../../src/models/checkpoint/raw.ts";
import { findStateDict, stripPrefix } from "../../../src/models/checkpoint/state-dict.ts";
import { readStateDict } from "../../../src/models/checkpoint/load.ts";
import { readZip } from "../../../src/models/checkpoint/zip.ts";
import { f32, f64, fixture, i32 } from "./helpers.ts";
import { makeTempDir } from "../../helpers/tmp.ts";

const twin = async (name: string) => (await readSafetensors(fixture(name))).tensors;

for (const [file, format] of [["dtypes.pth", "zip"], ["dtypes_archive.pt", "zip"], ["dtypes_legacy.pth", "legacy"]] as const) {
  test(`${file} (${format}) loads bit-identically to its safetensors twin`, async () => {
    const ck = await readTorchCheckpoint(fixture(file));
    assert.equal(ck.format, format);
    const want = await twin("dtypes.safetensors");
    const got = ck.root as Map<string, RawTensor>;
    assert.deepEqual([...got.keys()], [...want.keys()]);
    for (const [k, t] of want) assert.ok(rawEqual(got.get(k)!, t), `${k} differs`);
  });
}

test("non-contiguous views and shared storages come out contiguous with the right values", async () => {
  const sd = (await readTorchCheckpoint(fixture("dtypes.pth"))).root as Map<string, RawTensor>;
  // base = arange(12).reshape(3, 4); transposed[i][j] = base[j][i] = 4j + i
  const tr = sd.get("transposed")!;
  assert.deepEqual(tr.shape, [4, 3]);
  assert.deepEqual(f32(tr), Array.from({ length: 12 }, (_, k) => 4 * (k % 3) + Math.floor(k / 3)));
  // arange(24).reshape(4, 6)[1:, ::2]
  assert.deepEqual(i32(sd.get("stepped")!), [6, 8, 10, 12, 14, 16, 18, 20, 22]);
  // [1, 2, 3].expand(2, 3): stride 0
  assert.deepEqual(f32(sd.get("expanded")!), [1, 2, 3, 1, 2, 3]);
  // shared = arange(20) (float64); a = shared[2:8], b = shared[5:17]
  assert.deepEqual(f64(sd.get("shared_a")!), [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(f64(sd.get("shared_b")!), Array.from({ length: 12 }, (_, i) => 5 + i));
});

test("nested checkpoints: {'model': sd} with plain Python values alongside", async () => {
  const ck = await readTorchCheckpoint(fixture("nested.pth"));
  const root = ck.root as Map<string, unknown>;
  const { stateDict, path } = findStateDict(root);
  assert.equal(path, "model");
  assert.equal(stateDict.size, 19);
  assert.equal(root.get("epoch"), 3);
  assert.equal(root.get("lr"), 0.1);
  assert.equal(root.get("name"), "tiny");
  assert.equal(root.get("big"), 2n ** 70n);
  assert.equal(root.get("neg"), -123456789);
  assert.deepEqual(root.get("flags"), [true, null, [1, 2]]);
  assert.deepEqual(root.get("blob"), new Uint8Array([0, 1, 255]));
  const param = root.get("param");
  assert.ok(isRawTensor(param));
  assert.deepEqual(f32(param), [1, 2]);
});

test("DataParallel checkpoints: find 'state_dict', strip 'module.', equal the plain model's twin", async () => {
  const ck = await readTorchCheckpoint(fixture("ddp.pth"));
  const { stateDict, path } = findStateDict(ck.root);
  assert.equal(path, "state_dict");
  assert.ok([...stateDict.keys()].every((k) => k.startsWith("module.")));
  const want = await twin("net.safetensors");
  const got = stripPrefix(stateDict);
  assert.deepEqual([...got.keys()], [...want.keys()]);
  for (const [k, t] of want) assert.ok(rawEqual(got.get(k)!, t), k);
  assert.equal(got.get("1.num_batches_tracked")!.dtype, "int64");
  // The one-call reader does the same.
  const direct = await readStateDict(fixture("ddp.pth"));
  assert.deepEqual([...direct.keys()], [...want.keys()]);
});

test("malicious pickles are refused by name and nothing runs", async (t) => {
  const dir = makeTempDir("aunce-evil-");
  const cwd = process.cwd();
  process.chdir(dir); // the payloads would `touch AUNCE_PICKLE_MARKER` in the working folder
  t.after(() => process.chdir(cwd));
  const cases: [string, RegExp][] = [
    ["evil_system.pth", /refused global 'posix\.system' in .*evil_system\.pth: evil_system\/data\.pkl: only tensor rebuilds and plain containers are allowed/],
    ["evil_eval.pth", /refused global '__builtin__\.eval' \(Python 3: 'builtins\.eval'\)/],
    ["evil_subprocess.pth", /refused global 'commands\.call' \(Python 3: 'subprocess\.call'\)/],
    ["evil_legacy.pth", /refused global 'posix\.system'/],
    ["evil_proto4.pth", /refused global 'posix\.system'/],
    ["evil_getattr.pth", /refused global '__builtin__\.getattr'/],
  ];
  for (const [name, re] of cases) {
    await assert.rejects(readTorchCheckpoint(fixture(name)), re, name);
  }
  assert.equal(existsSync(join(dir, "AUNCE_PICKLE_MARKER")), false);
});

test("corrupt archives: truncated, missing storage, flipped storage byte", async () => {
  const bytes = await readFile(fixture("dtypes.pth"));
  await assert.rejects(parseTorchCheckpoint(bytes.subarray(0, bytes.length - 30), "cut.pth"), /cut\.pth: corrupt zip archive: no end-of-central-directory/);
  // Flip one byte inside a stored storage (located through the zip directory).
  const entry = (await readZip(bytes)).get("dtypes/data/0")!;
  const at = (await entry.read()).byteOffset - bytes.byteOffset;
  const flipped = Buffer.from(bytes);
  flipped[at] ^= 0xff;
  await assert.rejects(parseTorchCheckpoint(flipped, "flip.pth"), /flip\.pth: corrupt zip archive: 'dtypes\/data\/0' fails its CRC-32 check/);
  // Rename storage 0 in both headers: the pickle then points at a missing member.
  const renamed = Buffer.from(bytes.toString("latin1").replaceAll("dtypes/data/0", "dtypes/data/Z"), "latin1");
  await assert.rejects(parseTorchCheckpoint(renamed, "gone.pth"), /gone\.pth: dtypes\/data\.pkl: storage '0' is missing from the archive/);
  await assert.rejects(parseTorchCheckpoint(new Uint8Array([1, 2, 3]), "x.pth"), /x\.pth: not a PyTorch checkpoint/);
});
