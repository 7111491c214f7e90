/**
 * Engine-independent tensor records for checkpoint I/O. A RawTensor is the bytes of one tensor,
 * contiguous, row-major and little-endian, plus its dtype and shape; the lead's engine turns it into
 * a real tensor with `fromBytes(data, shape, dtype)`. Readers may return `data` as a view into the
 * file buffer (no copy): treat it as read-only.
 */

/** Every dtype a checkpoint may hold. */
export type RawDType =
  | "float32"
  | "float16"
  | "bfloat16"
  | "float64"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "bool";

/** One tensor: `data.byteLength === numel(shape) * itemSize(dtype)`, row-major, little-endian. */
export interface RawTensor {
  dtype: RawDType;
  shape: number[];
  data: Uint8Array;
}

/** Named tensors in file/insertion order (a PyTorch state dict without the engine). */
export type RawStateDict = Map<string, RawTensor>;

const ITEM_SIZE: Record<RawDType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** All supported dtypes, in a stable order. */
export const RAW_DTYPES = Object.keys(ITEM_SIZE) as RawDType[];

/** Bytes per element of `dtype`. */
export function itemSize(dtype: RawDType): number {
  return ITEM_SIZE[dtype];
}

/** True when `x` names a supported dtype. */
export function isRawDType(x: unknown): x is RawDType {
  return typeof x === "string" && Object.prototype.hasOwnProperty.call(ITEM_SIZE, x);
}

/** Number of elements of `shape` (1 for a scalar `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `x` looks like a RawTensor (used to find tensor leaves in decoded pickles). */
export function isRawTensor(x: unknown): x is RawTensor {
  if (typeof x !== "object" || x === null) return false;
  const t = x as Partial<RawTensor>;
  return t.data instanceof Uint8Array && Array.isArray(t.shape) && isRawDType(t.dtype);
}

/**
 * Builds a RawTensor after checking that `data` holds exactly numel(shape) * itemSize(dtype) bytes.
 * `what` names the tensor in the error.
 */
export function rawTensor(dtype: RawDType, shape: number[], data: Uint8Array, what = "tensor"): RawTensor {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${what}: shape must hold non-negative integers, got [${shape.join(", ")}]`);
    }
  }
  const want = numel(shape) * itemSize(dtype);
  if (data.byteLength !== want) {
    throw new RangeError(
      `${what}: ${dtype} [${shape.join(", ")}] needs ${want} bytes, got ${data.byteLength}`,
    );
  }
  return { dtype, shape: [...shape], data };
}

/** True when two tensors have equal dtype, shape and bytes. */
export function rawEqual(a: RawTensor, b: RawTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  return Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(
    Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
  );
}

/** Total number of elements and bytes over a state dict. */
export function stateDictSize(sd: RawStateDict): { params: number; bytes: number } {
  let params = 0;
  let bytes = 0;
  for (const t of sd.values()) {
    params += numel(t.shape);
    bytes += t.data.byteLength;
  }
  return { params, bytes };
}
