/** Joins, splits, re-layouts and indexing as free functions (torch.* names). */
import { runOp, runOpMulti, type Tensor } from "../tensor.ts";

export function cat(tensors: readonly Tensor[], dim = 0): Tensor { return runOp("cat", tensors, dim); }
export function stack(tensors: readonly Tensor[], dim = 0): Tensor { return runOp("stack", tensors, dim); }
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] { return runOpMulti("chunk", x, chunks, dim); }
/** Splits into pieces of `size` (or of the given sizes) along dim. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] { return runOpMulti("split", x, size, dim); }
export function unbind(x: Tensor, dim = 0): Tensor[] { return runOpMulti("unbind", x, dim); }
export function reshape(x: Tensor, shape: readonly number[]): Tensor { return runOp("reshape", x, shape); }
export function permute(x: Tensor, dims: readonly number[]): Tensor { return runOp("permute", x, dims); }
export function transpose(x: Tensor, d0: number, d1: number): Tensor { return runOp("transpose", x, d0, d1); }
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor { return runOp("flatten", x, startDim, endDim); }
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor { return runOp("unflatten", x, dim, sizes); }
export function squeeze(x: Tensor, dim?: number): Tensor { return runOp("squeeze", x, dim); }
export function unsqueeze(x: Tensor, dim: number): Tensor { return runOp("unsqueeze", x, dim); }
export function expand(x: Tensor, shape: readonly number[]): Tensor { return runOp("expand", x, shape); }
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor { return runOp("broadcast_to", x, shape); }
export function repeat(x: Tensor, times: readonly number[]): Tensor { return runOp("repeat", x, times); }
export function repeatInterleave(x: Tensor, repeats: number, dim?: number): Tensor { return runOp("repeat_interleave", x, repeats, dim); }
/** Cyclic shift by `shifts` along `dims` (as torch.roll). */
export function roll(x: Tensor, shifts: number | readonly number[], dims: number | readonly number[]): Tensor { return runOp("roll", x, shifts, dims); }
export function flip(x: Tensor, dims: readonly number[]): Tensor { return runOp("flip", x, dims); }
export function tril(x: Tensor, diagonal = 0): Tensor { return runOp("tril", x, diagonal); }
export function triu(x: Tensor, diagonal = 0): Tensor { return runOp("triu", x, diagonal); }
export function diag(x: Tensor, diagonal = 0): Tensor { return runOp("diag", x, diagonal); }
export function meshgrid(tensors: readonly Tensor[], indexing: "ij" | "xy" = "ij"): Tensor[] { return runOpMulti("meshgrid", tensors, indexing); }
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor { return runOp("narrow", x, dim, start, length); }
export function select(x: Tensor, dim: number, index: number): Tensor { return runOp("select", x, dim, index); }
export function gather(x: Tensor, dim: number, index: Tensor): Tensor { return runOp("gather", x, dim, index); }
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor { return runOp("scatter", x, dim, index, src); }
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor { return runOp("index_select", x, dim, index); }
/** Advanced indexing x[i0, i1, ...] with index tensors (null = the whole dimension). */
export function index(x: Tensor, indices: readonly (Tensor | null)[]): Tensor { return runOp("index", x, indices); }
export function indexPut(x: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate = false): Tensor {
  return runOp("index_put", x, indices, values, accumulate);
}
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor { return runOp("masked_fill", x, mask, value); }
export function maskedSelect(x: Tensor, mask: Tensor): Tensor { return runOp("masked_select", x, mask); }
export function nonzero(x: Tensor): Tensor { return runOp("nonzero", x); }
/**
 * Pads the last dims: `pads` lists (before, after) pairs starting from the LAST dim, as F.pad.
 * mode: constant (with value), reflect, replicate or circular.
 */
export function pad(x: Tensor, pads: readonly number[], mode: "constant" | "reflect" | "replicate" | "circular" = "constant", value = 0): Tensor {
  return runOp("pad", x, pads, mode, value);
}
