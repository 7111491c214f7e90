/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}`, then the tensor bytes. Offsets are relative to the end of the header and must
 * tile the data region exactly (no gaps, no overlap, nothing left over), as the reference reader
 * requires. Header lengths are padded with spaces to a multiple of 8 so the data starts aligned.
 */
import { readWholeFile, writeAtomic } from "./files.ts";
import { itemSize, numel, type RawDType, type RawStateDict, type RawTensor } from "./raw.ts";

/** safetensors dtype code for each RawDType. */
const TO_CODE: Record<RawDType, string> = {
  float32: "F32",
  float16: "F16",
  bfloat16: "BF16",
  float64: "F64",
  int64: "I64",
  int32: "I32",
  int16: "I16",
  int8: "I8",
  uint8: "U8",
  bool: "BOOL",
};
const FROM_CODE = new Map(Object.entries(TO_CODE).map(([k, v]) => [v, k as RawDType]));

/** The reference reader refuses headers over 100 MB; so do we (a corrupt length is the usual cause). */
const MAX_HEADER = 100_000_000;

/** A parsed safetensors file: tensors in data order, plus the string metadata. */
export interface SafetensorsContent {
  tensors: RawStateDict;
  metadata: Record<string, string>;
}

/** The safetensors dtype code ("F32", "BF16", ...) of a RawDType. */
export function safetensorsDType(dtype: RawDType): string {
  return TO_CODE[dtype];
}

function fail(source: string, msg: string): never {
  throw new Error(`${source}: invalid safetensors: ${msg}`);
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Parses a whole safetensors file held in memory. Tensor `data` are views into `bytes` (no copy).
 * `source` names the file in errors. Throws an Error naming the tensor for any inconsistency.
 */
export function parseSafetensors(bytes: Uint8Array, source = "safetensors"): SafetensorsContent {
  if (bytes.byteLength < 8) fail(source, `file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(source, `header length ${n64} exceeds the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) {
    fail(source, `header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail(source, "header is not valid UTF-8");
  }
  if (!text.startsWith("{")) fail(source, `header must start with '{', got ${JSON.stringify(text.slice(0, 16))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(source, `header is not valid JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail(source, "header is not a JSON object");

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: RawDType; shape: number[]; begin: number; end: number; order: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail(source, "__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") fail(source, `__metadata__["${k}"] must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) fail(source, `tensor '${name}': entry must be an object`);
    const dtype = typeof e.dtype === "string" ? FROM_CODE.get(e.dtype) : undefined;
    if (!dtype) {
      fail(source, `tensor '${name}': unsupported dtype ${JSON.stringify(e.dtype)} (expected one of ${[...FROM_CODE.keys()].join(", ")})`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt)) {
      fail(source, `tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !isNonNegInt(off[0]) || !isNonNegInt(off[1]) || off[1] < off[0]) {
      fail(source, `tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(off)}`);
    }
    const shape = e.shape as number[];
    const want = numel(shape) * itemSize(dtype);
    if (off[1] - off[0] !== want) {
      fail(source, `tensor '${name}': ${TO_CODE[dtype]} [${shape.join(", ")}] needs ${want} bytes but data_offsets [${off[0]}, ${off[1]}] span ${off[1] - off[0]}`);
    }
    entries.push({ name, dtype, shape, begin: off[0], end: off[1], order: entries.length });
  }

  // Data order, not JSON order: JSON.parse moves integer-like names first, and the file order is
  // what a writer chose. Ties (empty tensors) keep header order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end || a.order - b.order);
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  let pos = 0;
  let prev = "";
  const tensors: RawStateDict = new Map();
  for (const e of entries) {
    if (e.begin < pos) fail(source, `tensor '${e.name}' (bytes ${e.begin}..${e.end}) overlaps '${prev}' (ends at ${pos})`);
    if (e.begin > pos) fail(source, `gap of ${e.begin - pos} bytes before tensor '${e.name}' (starts at ${e.begin}, previous data ends at ${pos})`);
    if (e.end > dataLen) fail(source, `tensor '${e.name}' ends at byte ${e.end}, past the end of the data (${dataLen} bytes)`);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: bytes.subarray(dataStart + e.begin, dataStart + e.end) });
    pos = e.end;
    prev = e.name;
  }
  if (pos !== dataLen) fail(source, `${dataLen - pos} bytes after the last tensor are not described by the header`);
  return { tensors, metadata };
}

/**
 * Encodes tensors (in insertion order) and string metadata as safetensors, returned as chunks to
 * write in order (the header, then each tensor's bytes, uncopied).
 */
export function safetensorsChunks(tensors: RawStateDict | Iterable<[string, RawTensor]>, metadata?: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`metadata["${k}"] must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [new Uint8Array(0)];
  let pos = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__") throw new Error(`tensor name '__metadata__' is reserved by safetensors`);
    if (Object.prototype.hasOwnProperty.call(header, name)) throw new Error(`duplicate tensor name '${name}'`);
    const want = numel(t.shape) * itemSize(t.dtype);
    if (t.data.byteLength !== want) {
      throw new RangeError(`tensor '${name}': ${t.dtype} [${t.shape.join(", ")}] needs ${want} bytes, got ${t.data.byteLength}`);
    }
    header[name] = { dtype: TO_CODE[t.dtype], shape: t.shape, data_offsets: [pos, pos + want] };
    chunks.push(t.data);
    pos += want;
  }
  let json = JSON.stringify(header);
  let jsonBytes = Buffer.from(json, "utf8");
  // Pad with spaces so 8 + N is a multiple of 8 (the data region then starts 8-byte aligned).
  const pad = (8 - (jsonBytes.byteLength % 8)) % 8;
  if (pad) {
    json += " ".repeat(pad);
    jsonBytes = Buffer.from(json, "utf8");
  }
  const head = new Uint8Array(8 + jsonBytes.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(jsonBytes.byteLength), true);
  head.set(jsonBytes, 8);
  chunks[0] = head;
  return chunks;
}

/** Encodes tensors and metadata as one safetensors byte array (copies; prefer the file writer for big dicts). */
export function serializeSafetensors(tensors: RawStateDict, metadata?: Record<string, string>): Uint8Array {
  return Buffer.concat(safetensorsChunks(tensors, metadata));
}

/** Reads a .safetensors file (async). Errors name the file and the tensor at fault. */
export async function readSafetensors(path: string): Promise<SafetensorsContent> {
  return parseSafetensors(await readWholeFile(path), path);
}

/** Writes tensors and string metadata to a .safetensors file atomically (temp file, then rename). */
export async function writeSafetensors(path: string, tensors: RawStateDict, metadata?: Record<string, string>): Promise<void> {
  await writeAtomic(path, safetensorsChunks(tensors, metadata));
}
