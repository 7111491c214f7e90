/**
 * A small read-only zip reader for PyTorch archives. torch.save writes stored (uncompressed)
 * entries, 64-byte aligned, with ZIP64 records past 4 GiB; we read the central directory, return
 * stored entries as views into the file buffer (no copy) and inflate deflated ones with node:zlib
 * (other tools may recompress an archive). CRC-32 is checked when node:zlib offers crc32.
 */
import * as zlib from "node:zlib";

/** One archive member, read lazily by `read()`. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  read(): Uint8Array;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const crc32 = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;

/** True when the bytes start like a zip archive (a local file header). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function u64(view: DataView, at: number, source: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${source}: zip field at byte ${at} is too large (${v})`);
  return Number(v);
}

/**
 * Lists the members of a zip archive held in memory, by name. `source` names the file in errors.
 * Throws on a missing end record, out-of-bounds offsets or an unsupported compression method.
 */
export function readZip(bytes: Uint8Array, source = "zip"): Map<string, ZipEntry> {
  const bad = (msg: string): never => {
    throw new Error(`${source}: corrupt zip archive: ${msg}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  // The end record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad("no end-of-central-directory record (truncated file?)");
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== ZIP64_LOCATOR) bad("ZIP64 fields without a ZIP64 locator");
    const rec = u64(view, loc + 8, source);
    if (rec + 56 > len || view.getUint32(rec, true) !== ZIP64_EOCD) bad("ZIP64 end record missing");
    count = u64(view, rec + 32, source);
    cdSize = u64(view, rec + 40, source);
    cdOffset = u64(view, rec + 48, source);
  }
  if (cdOffset + cdSize > len) bad(`central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end (${len} bytes)`);

  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > len || view.getUint32(p, true) !== CENTRAL) bad(`central directory entry ${i} is missing`);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true);
    let usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen > len) bad(`central directory entry ${i} runs past the end`);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + p + 46, nameLen).toString("utf8");
    // ZIP64 extra field (id 1): the 64-bit values, in this order, for the fields that are 0xffffffff.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const size = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (usize === 0xffffffff) {
          usize = u64(view, q, source);
          q += 8;
        }
        if (csize === 0xffffffff) {
          csize = u64(view, q, source);
          q += 8;
        }
        if (local === 0xffffffff) local = u64(view, q, source);
      }
      e += 4 + size;
    }
    p = extraEnd + commentLen;
    if (local + 30 > len || view.getUint32(local, true) !== LOCAL) bad(`local header of '${name}' is missing`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > len) bad(`'${name}' (${csize} bytes at ${start}) runs past the end (${len} bytes)`);
    if (method !== 0 && method !== 8) bad(`'${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    const entry: ZipEntry = {
      name,
      method,
      compressedSize: csize,
      size: usize,
      crc32: crc,
      read() {
        const raw = bytes.subarray(start, start + csize);
        const data = method === 0 ? raw : new Uint8Array(zlib.inflateRawSync(raw));
        if (data.byteLength !== usize) bad(`'${name}' holds ${data.byteLength} bytes, the directory says ${usize}`);
        if (crc32 && crc32(data) >>> 0 !== crc) bad(`'${name}' fails its CRC-32 check`);
        return data;
      },
    };
    entries.set(name, entry);
  }
  return entries;
}
