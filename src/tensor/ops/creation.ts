/** Tensor factories. Shapes are number arrays; dtype defaults to float32, device to "cpu". */
import { binding } from "../../native/binding.ts";
import { dtypeOfArray, itemSize, type DType } from "../dtype.ts";
import { runOp, Tensor, wrapNative } from "../tensor.ts";

/** Options shared by the factories. */
export interface CreateOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

function finish(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * A tensor from a typed array (copied once into libtorch memory; the array stays yours).
 * `dtype` defaults to the array's own (Uint16Array means float16 bits unless "bfloat16" is given).
 * @example fromArray(new Float32Array([1, 2, 3, 4]), [2, 2])
 */
export function fromArray(data: ArrayBufferView, shape: readonly number[], opts?: CreateOptions): Tensor {
  const dtype = opts?.dtype ?? dtypeOfArray(data);
  const n = numelOf(shape);
  if (n * itemSize[dtype] !== data.byteLength) {
    throw new RangeError(`fromArray: shape [${shape}] (${n} elements of ${dtype}) does not match ${data.byteLength} bytes of data`);
  }
  return finish(wrapNative(binding.fromBytes(data, shape, dtype, opts?.device)), opts);
}

/** A tensor from raw little-endian bytes of `dtype` (e.g. a safetensors payload). */
export function fromBytes(bytes: Uint8Array, shape: readonly number[], dtype: DType, device?: string): Tensor {
  return wrapNative(binding.fromBytes(bytes, shape, dtype, device));
}

/** The raw little-endian bytes of a tensor's values, row-major (a copy). */
export function toBytes(t: Tensor): Uint8Array {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

type Nested = number | boolean | Nested[];

function shapeOf(v: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * A tensor from a number, nested arrays or a typed array (with `shape`).
 * Plain numbers become float32 unless `dtype` says otherwise.
 * @example tensor([[1, 2], [3, 4]])            // [2,2] float32
 * @example tensor([0, 1, 1], { dtype: "int64" })
 */
export function tensor(values: Nested | ArrayBufferView, opts?: CreateOptions & { shape?: readonly number[] }): Tensor {
  if (ArrayBuffer.isView(values)) return fromArray(values, opts?.shape ?? [values.byteLength / itemSize[opts?.dtype ?? dtypeOfArray(values)]], opts);
  const shape = opts?.shape ?? shapeOf(values);
  const flat: (number | boolean)[] = Array.isArray(values) ? (values as unknown[]).flat(Infinity as 1) as (number | boolean)[] : [values];
  if (flat.length !== numelOf(shape)) throw new RangeError(`tensor: ragged nested array (expected ${numelOf(shape)} values for shape [${shape}], got ${flat.length})`);
  const dtype = opts?.dtype ?? "float32";
  const nums = flat.map(Number);
  let data: ArrayBufferView;
  switch (dtype) {
    case "float64": data = Float64Array.from(nums); break;
    case "int64": data = BigInt64Array.from(nums, (x) => BigInt(Math.trunc(x))); break;
    case "int32": data = Int32Array.from(nums); break;
    case "int16": data = Int16Array.from(nums); break;
    case "int8": data = Int8Array.from(nums); break;
    case "uint8": case "bool": data = Uint8Array.from(nums, (x) => (dtype === "bool" ? (x ? 1 : 0) : x)); break;
    default: {
      const t = fromArray(Float32Array.from(nums), shape, { device: opts?.device });
      if (dtype === "float32") return finish(t, opts);
      const c = t.to(dtype);
      t.dispose();
      return finish(c, opts);
    }
  }
  return fromArray(data, shape, { ...opts, dtype });
}

/** A 0-dim tensor holding `value`. */
export function scalar(value: number, opts?: CreateOptions): Tensor {
  return finish(runOp("scalar_tensor", value, opts?.dtype, opts?.device), opts);
}
export function zeros(shape: readonly number[], opts?: CreateOptions): Tensor {
  return finish(runOp("zeros", shape, opts?.dtype, opts?.device), opts);
}
export function ones(shape: readonly number[], opts?: CreateOptions): Tensor {
  return finish(runOp("ones", shape, opts?.dtype, opts?.device), opts);
}
export function empty(shape: readonly number[], opts?: CreateOptions): Tensor {
  return finish(runOp("empty", shape, opts?.dtype, opts?.device), opts);
}
export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  return finish(runOp("full", shape, value, opts?.dtype, opts?.device), opts);
}
/** Uniform [0, 1) from libtorch's generator (seed with `manualSeed`). */
export function rand(shape: readonly number[], opts?: CreateOptions): Tensor {
  return finish(runOp("rand", shape, opts?.dtype, opts?.device), opts);
}
/** Standard normal from libtorch's generator. */
export function randn(shape: readonly number[], opts?: CreateOptions): Tensor {
  return finish(runOp("randn", shape, opts?.dtype, opts?.device), opts);
}
/** Integers in [low, high), int64 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts?: CreateOptions): Tensor {
  return runOp("randint", low, high, shape, opts?.dtype, opts?.device);
}
/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number, opts?: CreateOptions): Tensor {
  return runOp("randperm", n, opts?.dtype, opts?.device);
}
/** start, start+step, ... < end; int64 for integer arguments, float32 otherwise (as torch.arange). */
export function arange(start: number, end?: number, step = 1, opts?: CreateOptions): Tensor {
  if (end === undefined) return runOp("arange", 0, start, step, opts?.dtype, opts?.device);
  return runOp("arange", start, end, step, opts?.dtype, opts?.device);
}
export function linspace(start: number, end: number, steps: number, opts?: CreateOptions): Tensor {
  return runOp("linspace", start, end, steps, opts?.dtype, opts?.device);
}
export function eye(n: number, m?: number, opts?: CreateOptions): Tensor {
  return runOp("eye", n, m ?? n, opts?.dtype, opts?.device);
}
export function zerosLike(t: Tensor): Tensor { return runOp("zeros_like", t); }
export function onesLike(t: Tensor): Tensor { return runOp("ones_like", t); }
export function fullLike(t: Tensor, value: number): Tensor { return runOp("full_like", t, value); }
export function randLike(t: Tensor): Tensor { return runOp("rand_like", t); }
export function randnLike(t: Tensor): Tensor { return runOp("randn_like", t); }
/** Bernoulli draws with probabilities `p` (a tensor), or with scalar p in the shape of `like`. */
export function bernoulli(pOrLike: Tensor, p?: number): Tensor {
  return runOp("bernoulli", pOrLike, p);
}
