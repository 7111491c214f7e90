/**
 * PyTorch `.pth` / `.pt` files read without executing anything. Two layouts:
 * - zip (torch >= 1.6 default): `<folder>/data.pkl` (the object tree) and `<folder>/data/<key>` (one
 *   raw storage per key); the folder name is whatever the writer chose ("archive" or the file stem).
 * - legacy (`_use_new_zipfile_serialization=False`): five pickles back to back (magic number,
 *   protocol version, sys info, the object tree, the storage keys), then for each key an int64
 *   element count and the raw bytes.
 * Both decode through the restricted unpickler; tensors become contiguous RawTensors.
 */
import { readWholeFile } from "./files.ts";
import { brief, unpickle } from "./pickle.ts";
import { itemSize, type RawDType } from "./raw.ts";
import { StorageRef, StorageType, torchPolicy } from "./torch-pickle.ts";
import { looksLikeZip, readZip } from "./zip.ts";

/** A decoded checkpoint: the pickled object tree with RawTensors at the leaves. */
export interface TorchCheckpoint {
  root: unknown;
  format: "zip" | "legacy";
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function byteswap(bytes: Uint8Array, item: number): Uint8Array {
  if (item === 1) return bytes;
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += item) {
    for (let j = 0; j < item; j++) out[i + j] = bytes[i + item - 1 - j];
  }
  return out;
}

function checkWhole(bytes: Uint8Array, dtype: RawDType, what: string): void {
  if (bytes.byteLength % itemSize(dtype) !== 0) {
    throw new Error(`${what}: ${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
}

async function loadZip(bytes: Uint8Array, source: string): Promise<TorchCheckpoint> {
  const entries = await readZip(bytes, source);
  const pkl = [...entries.keys()].filter((n) => n.endsWith("data.pkl") && n.split("/").length === 2);
  if (pkl.length !== 1) {
    const names = [...entries.keys()].slice(0, 8).join(", ");
    if ([...entries.keys()].some((n) => n.endsWith("constants.pkl"))) {
      throw new Error(`${source}: this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint`);
    }
    throw new Error(`${source}: not a PyTorch checkpoint: expected one '<folder>/data.pkl', found ${pkl.length} (entries: ${names})`);
  }
  const prefix = pkl[0].slice(0, -"data.pkl".length);
  const order = entries.get(`${prefix}byteorder`);
  const bigEndian = order !== undefined && Buffer.from(await order.read()).toString("latin1").trim() === "big";
  const what = `${source}: ${pkl[0]}`;
  const pickle = await entries.get(pkl[0])!.read();
  // Zip members are read asynchronously and the unpickler is synchronous: a first pass lists the
  // storages the tree uses (nothing else is read, so unused members are never inflated), then the
  // tree is decoded with their bytes in place.
  const used = new Set<string>();
  unpickle(
    pickle,
    torchPolicy(what, (key, type: StorageType) => {
      used.add(key);
      return new StorageRef(key, type.dtype, null);
    }),
    what,
  );
  const raw = new Map<string, Uint8Array>();
  for (const key of used) {
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry) throw new Error(`${what}: storage '${key}' is missing from the archive (${prefix}data/${key})`);
    raw.set(key, await entry.read());
  }
  const refs = new Map<string, StorageRef>();
  const policy = torchPolicy(what, (key, type: StorageType) => {
    const id = `${key}\u0000${type.dtype}`;
    const hit = refs.get(id);
    if (hit) return hit;
    const data = raw.get(key)!;
    checkWhole(data, type.dtype, `${source}: storage '${key}'`);
    const ref = new StorageRef(key, type.dtype, bigEndian ? byteswap(data, itemSize(type.dtype)) : data);
    refs.set(id, ref);
    return ref;
  });
  return { root: unpickle(pickle, policy, what).value, format: "zip" };
}

function loadLegacy(bytes: Uint8Array, source: string): TorchCheckpoint {
  const plain = torchPolicy(`${source} (header)`, () => {
    throw new Error(`${source}: storage reference in a legacy header`);
  });
  const magic = unpickle(bytes, plain, source, 0);
  if (magic.value !== LEGACY_MAGIC) throw new Error(`${source}: not a PyTorch checkpoint (no zip archive, no legacy magic number)`);
  const proto = unpickle(bytes, plain, source, magic.end);
  if (proto.value !== 1001) throw new Error(`${source}: unsupported legacy protocol version ${brief(proto.value)}`);
  const info = unpickle(bytes, plain, source, proto.end);
  const littleEndian = !(info.value instanceof Map) || info.value.get("little_endian") !== false;

  // Storages follow the object tree, so read the tree once to find its end and its storage
  // types, then read the storages, then decode the tree again with the data in place.
  const types = new Map<string, StorageType>();
  const what = `${source}: data pickle`;
  const dry = unpickle(
    bytes,
    torchPolicy(what, (key, type, _loc, pid) => {
      if (pid.length > 5 && pid[5] !== null) throw new Error(`${what}: storage views (legacy view_metadata) are not supported`);
      types.set(key, type);
      return new StorageRef(key, type.dtype, null);
    }),
    source,
    info.end,
  );
  const keysPickle = unpickle(bytes, plain, source, dry.end);
  if (!Array.isArray(keysPickle.value)) throw new Error(`${source}: legacy storage key list is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Map<string, Uint8Array>();
  let pos = keysPickle.end;
  for (const k of keysPickle.value as unknown[]) {
    if (typeof k !== "string" && typeof k !== "number") throw new Error(`${source}: legacy storage key ${brief(k)} is not a string`);
    const key = String(k);
    const type = types.get(key);
    if (!type) throw new Error(`${source}: legacy storage '${key}' is not used by any tensor`);
    if (pos + 8 > bytes.byteLength) throw new Error(`${source}: truncated before storage '${key}'`);
    const count = Number(view.getBigInt64(pos, littleEndian));
    const item = itemSize(type.dtype);
    const start = pos + 8;
    if (count < 0 || start + count * item > bytes.byteLength) {
      throw new Error(`${source}: storage '${key}' (${count} x ${type.dtype}) runs past the end of the file`);
    }
    const b = bytes.subarray(start, start + count * item);
    data.set(key, littleEndian ? b : byteswap(b, item));
    pos = start + count * item;
  }
  const refs = new Map<string, StorageRef>();
  const policy = torchPolicy(what, (key, type) => {
    const b = data.get(key);
    if (!b) throw new Error(`${what}: storage '${key}' has no data in the file`);
    const id = `${key}\u0000${type.dtype}`;
    if (!refs.has(id)) refs.set(id, new StorageRef(key, type.dtype, b));
    return refs.get(id)!;
  });
  return { root: unpickle(bytes, policy, source, info.end).value, format: "legacy" };
}

/**
 * Decodes a torch.save file held in memory (zip or legacy). `source` names it in errors. Rejects for
 * a corrupt file or a refused pickle global (named in the message).
 */
export async function parseTorchCheckpoint(bytes: Uint8Array, source = "checkpoint"): Promise<TorchCheckpoint> {
  if (looksLikeZip(bytes)) return loadZip(bytes, source);
  // A legacy file starts with a pickle (protocol 2: 0x80 0x02).
  if (bytes.byteLength >= 2 && bytes[0] === 0x80) return loadLegacy(bytes, source);
  throw new Error(`${source}: not a PyTorch checkpoint (neither a zip archive nor a pickle)`);
}

/** Reads a `.pth` / `.pt` file (async) into its object tree; see parseTorchCheckpoint. */
export async function readTorchCheckpoint(path: string): Promise<TorchCheckpoint> {
  return parseTorchCheckpoint(await readWholeFile(path), path);
}


