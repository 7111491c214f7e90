/**
 * Reads tfjs "weights manifest" files (a JSON list of groups, each naming binary shards and the
 * tensors packed in them, in order) as used by @vladmandic/face-api's model/ folder, and
 * dequantises quantised entries: value = q * scale + min (tfjs' io.decodeWeights for uint8/uint16
 * with {scale, min}; float16 entries are plain half floats).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One decoded weight: TF layout (HWIO for convs), float32 or int32 values. */
export interface TfWeight {
  shape: number[];
  dtype: "float32" | "int32";
  data: Float32Array | Int32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
  quantization?: { scale?: number; min?: number; dtype: "uint8" | "uint16" | "float16" };
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

const bytesPer = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 } as const;

/** IEEE half -> float (for float16-quantised manifests). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function fail(source: string, msg: string): never {
  throw new Error(`readTfWeights: ${source}: ${msg}`);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Checks the manifest's structure (a list of {paths, weights}), naming the first bad field. */
function checkManifest(doc: unknown, source: string): ManifestGroup[] {
  if (!Array.isArray(doc)) fail(source, "a weights manifest is a JSON list of groups");
  doc.forEach((g: unknown, gi) => {
    if (!isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) fail(source, `group ${gi} must be {paths: [...], weights: [...]}`);
    for (const p of g.paths as unknown[]) {
      // Shards are files beside the manifest: no folders, no way out of it.
      if (typeof p !== "string" || p === "" || /[\\/\0]/.test(p) || p === "." || p === "..") fail(source, `group ${gi}: shard path ${JSON.stringify(p)} is not a file name`);
    }
    (g.weights as unknown[]).forEach((w: unknown, wi) => {
      const at = `group ${gi} weight ${wi}`;
      if (!isObject(w) || typeof w.name !== "string") fail(source, `${at} must be an object with a string name`);
      if (!Array.isArray(w.shape) || !w.shape.every((d: unknown) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
        fail(source, `tensor '${w.name}': shape must be a list of non-negative integers, got ${JSON.stringify(w.shape)}`);
      }
      if (w.dtype !== "float32" && w.dtype !== "int32") fail(source, `tensor '${w.name}': dtype ${JSON.stringify(w.dtype)} is not float32 or int32`);
      const q = w.quantization;
      if (q !== undefined) {
        if (!isObject(q) || (q.dtype !== "uint8" && q.dtype !== "uint16" && q.dtype !== "float16")) {
          fail(source, `tensor '${w.name}': quantization dtype must be uint8, uint16 or float16`);
        }
        for (const k of ["scale", "min"]) {
          if (q[k] !== undefined && (typeof q[k] !== "number" || !Number.isFinite(q[k]))) fail(source, `tensor '${w.name}': quantization ${k} must be a finite number`);
        }
      }
    });
  });
  return doc as ManifestGroup[];
}

/**
 * Decodes a weights manifest already parsed from JSON; `readShard(path)` returns the bytes of a shard
 * it names. `source` names the manifest in errors. Sizes are checked against the shards before any
 * tensor is allocated: a manifest declaring more bytes than its shards hold is refused.
 */
export function parseTfWeights(doc: unknown, readShard: (path: string) => Uint8Array, source = "weights manifest"): Map<string, TfWeight> {
  const groups = checkManifest(doc, source);
  const out = new Map<string, TfWeight>();
  for (const g of groups) {
    const buf = Buffer.concat(g.paths.map(readShard));
    let off = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const stored = q ? q.dtype : w.dtype;
      const len = n * bytesPer[stored];
      if (off + len > buf.length) {
        fail(source, `tensor '${w.name}' [${w.shape}] needs bytes ${off}..${off + len}, shards hold ${buf.length}`);
      }
      const data = w.dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let v: number;
        if (!q) v = w.dtype === "int32" ? buf.readInt32LE(off + 4 * i) : buf.readFloatLE(off + 4 * i);
        else if (q.dtype === "float16") v = halfToFloat(buf.readUInt16LE(off + 2 * i));
        else {
          const raw = q.dtype === "uint8" ? buf[off + i] : buf.readUInt16LE(off + 2 * i);
          v = raw * (q.scale ?? 1) + (q.min ?? 0);
        }
        data[i] = w.dtype === "int32" ? Math.round(v) : v;
      }
      out.set(w.name, { shape: w.shape, dtype: w.dtype, data });
      off += len;
    }
  }
  return out;
}

/**
 * Loads every tensor of the manifest at `manifestPath` (shards are resolved beside it).
 * Throws naming the file when a shard is missing or shorter than the manifest says.
 */
export function readTfWeights(manifestPath: string): Map<string, TfWeight> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (err) {
    throw new Error(`readTfWeights: cannot read weights manifest ${manifestPath}: ${(err as Error).message}`);
  }
  return parseTfWeights(
    doc,
    (p) => {
      const file = join(dirname(manifestPath), p);
      if (!existsSync(file)) throw new Error(`readTfWeights: shard ${file} named by ${manifestPath} is missing`);
      return readFileSync(file);
    },
    manifestPath,
  );
}

/**
 * The folder holding the bundled face-api weight files: assets/face-api at the package root, found
 * from this file's folder upwards (src/models/checkpoint, dist/models/checkpoint, ...).
 */
export function faceApiAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [3, 4, 5].map((up) => join(here, ...new Array<string>(up).fill(".."), "assets", "face-api"));
  const found = candidates.find((d) => existsSync(join(d, "ssd_mobilenetv1_model-weights_manifest.json")));
  if (!found) throw new Error(`face-api weights not found; looked in:\n  ${candidates.join("\n  ")}`);
  return found;
}

