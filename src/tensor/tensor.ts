/**
 * The typed Tensor façade over a native libtorch handle, and the op dispatch every op goes
 * through. Fluent methods mirror torch.Tensor's names (camelCase) and argument order.
 */
import { binding, type NativeTensor, type OpArg, type OpResult } from "../native/binding.ts";
import type { DType, TypedArrayOf } from "./dtype.ts";
import { track, type Tracked } from "./scope.ts";

/** A value ops accept in an argument position. */
export type Arg = Tensor | number | boolean | string | null | undefined | readonly number[] | readonly (Tensor | null)[];

// Filled on the first op, not on import: importing aunce must not need the addon (see binding.ts).
let opIds: Map<string, number> | null = null;

function opId(name: string): number {
  opIds ??= new Map(binding.opNames().map((n, i) => [n, i] as const));
  const id = opIds.get(name);
  if (id === undefined) throw new Error(`unknown op '${name}'`);
  return id;
}

function unwrap(a: Arg): OpArg {
  if (a instanceof Tensor) return a.native;
  if (Array.isArray(a) && a.length > 0 && typeof a[0] !== "number") {
    return (a as readonly (Tensor | null)[]).map((x) => (x === null ? null : x.native));
  }
  return a as OpArg;
}

function call(name: string, args: Arg[]): OpResult {
  const id = opId(name);
  // Explicit arities keep the common case free of array spreading.
  switch (args.length) {
    case 1: return binding.op(id, unwrap(args[0]));
    case 2: return binding.op(id, unwrap(args[0]), unwrap(args[1]));
    case 3: return binding.op(id, unwrap(args[0]), unwrap(args[1]), unwrap(args[2]));
    default: return binding.op(id, ...args.map(unwrap));
  }
}

/** Runs a native op that returns one tensor. Throws the op's error (names op, shapes) otherwise. */
export function runOp(name: string, ...args: Arg[]): Tensor {
  const r = call(name, args);
  if (typeof r !== "object" || Array.isArray(r)) throw new Error(`${name}: expected one tensor result`);
  return new Tensor(r);
}

/** Runs a native op that returns several tensors (topk, chunk, split, max over a dim, ...). */
export function runOpMulti(name: string, ...args: Arg[]): Tensor[] {
  const r = call(name, args);
  if (!Array.isArray(r)) throw new Error(`${name}: expected a list of tensors`);
  return r.map((t) => new Tensor(t));
}

/** Runs a native op that returns a number or boolean (allclose, equal). */
export function runOpValue(name: string, ...args: Arg[]): number | boolean {
  const r = call(name, args);
  if (typeof r !== "number" && typeof r !== "boolean") throw new Error(`${name}: expected a plain value`);
  return r;
}

/** Wraps a native handle (used by factories); the tensor joins the innermost scope. */
export function wrapNative(n: NativeTensor): Tensor {
  return new Tensor(n);
}

/**
 * An n-dimensional array in libtorch memory. Create tensors with the factories (`tensor`,
 * `zeros`, `fromArray`, ...); release them with `dispose()` or by creating them inside `tidy`.
 */
export class Tensor implements Tracked {
  /** The native handle (for the nn/optim layers; not part of the public API). */
  readonly native: NativeTensor;
  /** Set by `keep()`: enclosing scopes leave this tensor alone. */
  kept = false;
  #shape: readonly number[] | undefined;

  constructor(native: NativeTensor) {
    this.native = native;
    track(this);
  }

  // ---- metadata ----
  /** Sizes per dimension (cached: no op changes a tensor's shape in place). */
  get shape(): readonly number[] {
    return (this.#shape ??= Object.freeze(this.native.shape()));
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Size of dimension `dim` (negative counts from the end). */
  size(dim: number): number {
    const d = dim < 0 ? dim + this.ndim : dim;
    if (d < 0 || d >= this.ndim) throw new RangeError(`size: dim ${dim} out of range for shape [${this.shape}]`);
    return this.shape[d];
  }
  get numel(): number {
    return this.native.numel();
  }
  get dtype(): DType {
    return this.native.dtype();
  }
  get device(): string {
    return this.native.device();
  }
  get strides(): number[] {
    return this.native.strides();
  }
  get isDisposed(): boolean {
    return this.native.isDisposed();
  }
  isContiguous(memoryFormat: "contiguous" | "channels_last" = "contiguous"): boolean {
    return this.native.isContiguous(memoryFormat);
  }
  toString(): string {
    return this.isDisposed ? "Tensor(<disposed>)" : `Tensor([${this.shape}], ${this.dtype}, ${this.device})`;
  }

  // ---- lifetime ----
  /** Releases the native memory now (idempotent). */
  dispose(): void {
    this.native.dispose();
  }

  // ---- values ----
  /** A copy of the values in row-major order, as the dtype's typed array. */
  data<D extends DType = DType>(): TypedArrayOf[D] {
    return this.native.data() as TypedArrayOf[D];
  }
  /** The values as nested JS arrays of numbers (int64 converted to number). */
  toArray(): unknown {
    const flat = this.data();
    const vals: number[] = Array.from(flat as ArrayLike<number | bigint>, (v) => Number(v));
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.ndim) return vals[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    return Number(this.native.item());
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return this.native.requiresGrad();
  }
  set requiresGrad(on: boolean) {
    this.native.setRequiresGrad(on);
  }
  /** Sets requiresGrad and returns this (as torch's requires_grad_). */
  requiresGrad_(on = true): this {
    this.native.setRequiresGrad(on);
    return this;
  }
  /** The accumulated gradient (a new handle to it), or null. */
  get grad(): Tensor | null {
    const g = this.native.grad();
    return g ? new Tensor(g) : null;
  }
  set grad(g: Tensor | null) {
    this.native.setGrad(g ? g.native : null);
  }
  get isLeaf(): boolean {
    return this.native.isLeaf();
  }
  /** Back-propagates from this tensor (a scalar unless `gradient` is given). */
  backward(gradient: Tensor | null = null, retainGraph = false): void {
    this.native.backward(gradient ? gradient.native : null, retainGraph);
  }
  /** A second handle to the same tensor (no copy, autograd intact): lets two owners dispose independently. */
  alias(): Tensor {
    return runOp("alias", this);
  }
  detach(): Tensor {
    return runOp("detach", this);
  }

  // ---- conversion and layout ----
  clone(memoryFormat?: "contiguous" | "channels_last" | "preserve"): Tensor {
    return runOp("clone", this, memoryFormat ?? "preserve");
  }
  /** Converts to a dtype. */
  to(dtype: DType): Tensor {
    return runOp("to_dtype", this, dtype);
  }
  /**
   * Moves to a device ("cpu", "cuda", "cuda:1"). `nonBlocking` queues the copy on the device's
   * stream and returns at once (from pinned host memory, as torch's `non_blocking=True`).
   */
  toDevice(device: string, opts?: { nonBlocking?: boolean }): Tensor {
    return runOp("to_device", this, device, opts?.nonBlocking ?? false);
  }
  /** A page-locked (pinned) host copy, for asynchronous host-to-GPU copies; needs a CUDA engine. */
  pinMemory(): Tensor {
    return runOp("pin_memory", this);
  }
  get isPinned(): boolean {
    return runOpValue("is_pinned", this) as boolean;
  }
  float(): Tensor {
    return this.to("float32");
  }
  contiguous(memoryFormat: "contiguous" | "channels_last" = "contiguous"): Tensor {
    return runOp("contiguous", this, memoryFormat);
  }
  /**
   * A copy in oneDNN's opaque blocked layout (float32, CPU): what frozen inference convolutions
   * (`mkldnnConv2d`) read and write. Only shape queries, relu/add/pooling and `toDense()` work on it.
   */
  toMkldnn(): Tensor {
    return runOp("to_mkldnn", this);
  }
  /** A strided copy of a `toMkldnn()` tensor. */
  toDense(): Tensor {
    return runOp("to_dense", this);
  }
  /** Whether this tensor is in oneDNN's layout (see toMkldnn). */
  get isMkldnn(): boolean {
    return runOpValue("is_mkldnn", this) as boolean;
  }

  // ---- arithmetic ----
  add(other: Tensor | number, alpha?: number): Tensor { return runOp("add", this, other, alpha); }
  sub(other: Tensor | number, alpha?: number): Tensor { return runOp("sub", this, other, alpha); }
  mul(other: Tensor | number): Tensor { return runOp("mul", this, other); }
  div(other: Tensor | number): Tensor { return runOp("div", this, other); }
  pow(exponent: Tensor | number): Tensor { return runOp("pow", this, exponent); }
  neg(): Tensor { return runOp("neg", this); }
  abs(): Tensor { return runOp("abs", this); }
  exp(): Tensor { return runOp("exp", this); }
  log(): Tensor { return runOp("log", this); }
  sqrt(): Tensor { return runOp("sqrt", this); }
  rsqrt(): Tensor { return runOp("rsqrt", this); }
  square(): Tensor { return runOp("square", this); }
  reciprocal(): Tensor { return runOp("reciprocal", this); }
  sigmoid(): Tensor { return runOp("sigmoid", this); }
  erfinv(): Tensor { return runOp("erfinv", this); }
  tanh(): Tensor { return runOp("tanh", this); }
  relu(): Tensor { return runOp("relu", this); }
  /** Clamps to [min, max]; either bound may be null. */
  clamp(min: number | null, max: number | null = null): Tensor { return runOp("clamp", this, min, max); }
  clampMin(min: number): Tensor { return runOp("clamp", this, min, null); }
  maximum(other: Tensor | number): Tensor { return runOp("maximum", this, other); }
  minimum(other: Tensor | number): Tensor { return runOp("minimum", this, other); }
  matmul(other: Tensor): Tensor { return runOp("matmul", this, other); }
  softmax(dim: number): Tensor { return runOp("softmax", this, dim); }
  logSoftmax(dim: number): Tensor { return runOp("log_softmax", this, dim); }

  // ---- comparisons ----
  eq(other: Tensor | number): Tensor { return runOp("eq", this, other); }
  ne(other: Tensor | number): Tensor { return runOp("ne", this, other); }
  lt(other: Tensor | number): Tensor { return runOp("lt", this, other); }
  le(other: Tensor | number): Tensor { return runOp("le", this, other); }
  gt(other: Tensor | number): Tensor { return runOp("gt", this, other); }
  ge(other: Tensor | number): Tensor { return runOp("ge", this, other); }

  // ---- reductions (dims null = all) ----
  sum(dims: number | readonly number[] | null = null, keepdim = false): Tensor { return runOp("sum", this, dims, keepdim); }
  mean(dims: number | readonly number[] | null = null, keepdim = false): Tensor { return runOp("mean", this, dims, keepdim); }
  amax(dims: number | readonly number[], keepdim = false): Tensor { return runOp("amax", this, dims, keepdim); }
  amin(dims: number | readonly number[], keepdim = false): Tensor { return runOp("amin", this, dims, keepdim); }
  /** Max over all elements (0-dim tensor). For values and indices over a dim use `maxDim`. */
  max(): Tensor { return runOp("max", this); }
  min(): Tensor { return runOp("min", this); }
  /** [values, indices] of the max over `dim`. */
  maxDim(dim: number, keepdim = false): [Tensor, Tensor] { return runOpMulti("max", this, dim, keepdim) as [Tensor, Tensor]; }
  minDim(dim: number, keepdim = false): [Tensor, Tensor] { return runOpMulti("min", this, dim, keepdim) as [Tensor, Tensor]; }
  argmax(dim: number | null = null, keepdim = false): Tensor { return runOp("argmax", this, dim, keepdim); }
  argmin(dim: number | null = null, keepdim = false): Tensor { return runOp("argmin", this, dim, keepdim); }
  /** p-norm over dims (all when null). */
  norm(p = 2, dims: number | readonly number[] | null = null, keepdim = false): Tensor { return runOp("norm", this, p, dims, keepdim); }
  /** [values, indices] of the k largest (or smallest) along dim. */
  topk(k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
    return runOpMulti("topk", this, k, dim, largest, sorted) as [Tensor, Tensor];
  }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor { return runOp("reshape", this, shape); }
  view(shape: readonly number[]): Tensor { return runOp("view", this, shape); }
  permute(dims: readonly number[]): Tensor { return runOp("permute", this, dims); }
  transpose(dim0: number, dim1: number): Tensor { return runOp("transpose", this, dim0, dim1); }
  flatten(startDim = 0, endDim = -1): Tensor { return runOp("flatten", this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return runOp("squeeze", this, dim); }
  unsqueeze(dim: number): Tensor { return runOp("unsqueeze", this, dim); }
  expand(shape: readonly number[]): Tensor { return runOp("expand", this, shape); }
  repeat(times: readonly number[]): Tensor { return runOp("repeat", this, times); }
  narrow(dim: number, start: number, length: number): Tensor { return runOp("narrow", this, dim, start, length); }
  select(dim: number, index: number): Tensor { return runOp("select", this, dim, index); }
  /** Elements start..end (exclusive, null = to the end) with step along dim. */
  slice(dim: number, start: number | null, end: number | null = null, step = 1): Tensor {
    return runOp("slice", this, dim, start, end, step);
  }
  gather(dim: number, index: Tensor): Tensor { return runOp("gather", this, dim, index); }
  indexSelect(dim: number, index: Tensor): Tensor { return runOp("index_select", this, dim, index); }
  maskedFill(mask: Tensor, value: number | Tensor): Tensor { return runOp("masked_fill", this, mask, value); }

  // ---- in place (parameters and buffers under noGrad) ----
  add_(other: Tensor | number, alpha?: number): this { runOp("add_", this, other, alpha).dispose(); return this; }
  sub_(other: Tensor | number, alpha?: number): this { runOp("sub_", this, other, alpha).dispose(); return this; }
  mul_(other: Tensor | number): this { runOp("mul_", this, other).dispose(); return this; }
  div_(other: Tensor | number): this { runOp("div_", this, other).dispose(); return this; }
  copy_(src: Tensor): this { runOp("copy_", this, src).dispose(); return this; }
  fill_(value: number): this { runOp("fill_", this, value).dispose(); return this; }
  zero_(): this { runOp("zero_", this).dispose(); return this; }
  uniform_(low = 0, high = 1): this { runOp("uniform_", this, low, high).dispose(); return this; }
  normal_(mean = 0, std = 1): this { runOp("normal_", this, mean, std).dispose(); return this; }
  relu_(): this { runOp("relu_", this).dispose(); return this; }
  clamp_(min: number | null, max: number | null = null): this { runOp("clamp_", this, min, max).dispose(); return this; }
}
