/**
 * Zip reading for PyTorch archives, on yauzl (central directory, ZIP64, local headers, inflation
 * with size checks). torch.save writes stored (uncompressed) entries, 64-byte aligned; those are
 * returned as views into the file buffer (no copy). Deflated entries (other tools may recompress an
 * archive) are inflated only after their declared sizes pass the limits below, so a zip bomb is
 * refused before any allocation; yauzl then stops inflation at the declared size. CRC-32 is checked
 * when node:zlib offers crc32.
 */
import * as zlib from "node:zlib";
import yauzl from "yauzl";

/** One archive member, read lazily by `read()`. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  read(): Promise<Uint8Array>;
}

/** What a deflated member may declare before it is inflated. */
export interface ZipLimits {
  /** Largest uncompressed size of one deflated member, in bytes (default 1 GiB). */
  maxInflatedBytes: number;
  /** Largest uncompressed / compressed ratio (default 1100: deflate cannot exceed ~1032). */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxInflatedBytes: 1 << 30, maxRatio: 1100 };

const crc32 = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;

/** True when the bytes start like a zip archive (a local file header). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** yauzl's messages, with the common truncation case said plainly. */
function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (msg.startsWith("End of central directory record signature not found")) return "no end-of-central-directory record (truncated file?)";
  return msg;
}

async function collect(stream: NodeJS.ReadableStream, size: number): Promise<Uint8Array> {
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.byteLength > size) throw new Error(`inflates past its declared ${size} bytes`);
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== size) throw new Error(`holds ${at} bytes, the directory says ${size}`);
  return out;
}

/**
 * Lists the members of a zip archive held in memory, by name. `source` names the file in errors.
 * Rejects with "<source>: corrupt zip archive: ..." on a missing end record, out-of-bounds offsets,
 * an unsupported compression method or a member whose declared sizes exceed `limits`.
 */
export async function readZip(bytes: Uint8Array, source = "zip", limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Map<string, ZipEntry>> {
  const bad = (msg: string): Error => new Error(`${source}: corrupt zip archive: ${msg}`);
  const buf = asBuffer(bytes);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw bad(reason(err));
  }
  const entries = new Map<string, ZipEntry>();
  try {
    for await (const e of zip.eachEntry()) {
      const name = e.fileName;
      const method = e.compressionMethod;
      const csize = e.compressedSize;
      const usize = e.uncompressedSize;
      if (method !== 0 && method !== 8) throw bad(`'${name}' uses compression method ${method}; only stored (0) and deflate (8) are supported`);
      if (e.isEncrypted()) throw bad(`'${name}' is encrypted`);
      if (method === 0 && csize !== usize) throw bad(`stored '${name}' declares ${csize} bytes stored but ${usize} bytes of data`);
      if (csize > buf.byteLength) throw bad(`'${name}' (${csize} bytes) runs past the end (${buf.byteLength} bytes)`);
      if (method === 8) {
        if (usize > limits.maxInflatedBytes) throw bad(`'${name}' declares ${usize} uncompressed bytes, over the ${limits.maxInflatedBytes}-byte limit`);
        if (usize > Math.max(csize, 1) * limits.maxRatio) {
          throw bad(`'${name}' declares ${usize} bytes from ${csize} compressed (ratio over ${limits.maxRatio}: a zip bomb or a corrupt size)`);
        }
      }
      const check = (data: Uint8Array): Uint8Array => {
        if (crc32 && crc32(data) >>> 0 !== e.crc32) throw bad(`'${name}' fails its CRC-32 check`);
        return data;
      };
      entries.set(name, {
        name,
        method,
        compressedSize: csize,
        size: usize,
        crc32: e.crc32,
        async read() {
          try {
            if (method === 0) {
              const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
              return check(bytes.subarray(fileDataStart, fileDataStart + csize));
            }
            return check(await collect(await zip.openReadStreamPromise(e), usize));
          } catch (err) {
            if (err instanceof Error && err.message.startsWith(`${source}: `)) throw err;
            throw bad(`'${name}': ${reason(err)}`);
          }
        },
      });
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(`${source}: `)) throw err;
    throw bad(reason(err));
  }
  return entries;
}
