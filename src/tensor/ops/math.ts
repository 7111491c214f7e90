/** Element-wise maths, reductions, linear algebra and joins as free functions (torch.* names). */
import { runOp, runOpMulti, runOpValue, type Tensor } from "../tensor.ts";

type Dims = number | readonly number[] | null;

/** a + alpha * b; either side may be a number. */
export function add(a: Tensor | number, b: Tensor | number, alpha?: number): Tensor {
  if (typeof a === "number") return runOp("add", b as Tensor, a);
  return runOp("add", a, b, alpha);
}
/** a - alpha * b; either side may be a number. */
export function sub(a: Tensor | number, b: Tensor | number, alpha?: number): Tensor {
  if (typeof a === "number") return runOp("rsub", b as Tensor, a);
  return runOp("sub", a, b, alpha);
}
export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  return typeof a === "number" ? runOp("mul", b as Tensor, a) : runOp("mul", a, b);
}
export function div(a: Tensor | number, b: Tensor | number): Tensor {
  return typeof a === "number" ? runOp("rdiv", b as Tensor, a) : runOp("div", a, b);
}
export function pow(a: Tensor | number, b: Tensor | number): Tensor {
  return typeof a === "number" ? runOp("rpow", b as Tensor, a) : runOp("pow", a, b);
}
export function remainder(a: Tensor, b: Tensor | number): Tensor { return runOp("remainder", a, b); }
export function floorDivide(a: Tensor, b: Tensor | number): Tensor { return runOp("floor_divide", a, b); }
export function maximum(a: Tensor, b: Tensor | number): Tensor { return runOp("maximum", a, b); }
export function minimum(a: Tensor, b: Tensor | number): Tensor { return runOp("minimum", a, b); }
export function neg(x: Tensor): Tensor { return runOp("neg", x); }
export function abs(x: Tensor): Tensor { return runOp("abs", x); }
export function sign(x: Tensor): Tensor { return runOp("sign", x); }
export function exp(x: Tensor): Tensor { return runOp("exp", x); }
export function log(x: Tensor): Tensor { return runOp("log", x); }
export function log1p(x: Tensor): Tensor { return runOp("log1p", x); }
export function sqrt(x: Tensor): Tensor { return runOp("sqrt", x); }
export function rsqrt(x: Tensor): Tensor { return runOp("rsqrt", x); }
export function square(x: Tensor): Tensor { return runOp("square", x); }
export function reciprocal(x: Tensor): Tensor { return runOp("reciprocal", x); }
export function floor(x: Tensor): Tensor { return runOp("floor", x); }
export function ceil(x: Tensor): Tensor { return runOp("ceil", x); }
export function round(x: Tensor): Tensor { return runOp("round", x); }
export function sin(x: Tensor): Tensor { return runOp("sin", x); }
export function cos(x: Tensor): Tensor { return runOp("cos", x); }
export function tanh(x: Tensor): Tensor { return runOp("tanh", x); }
export function erf(x: Tensor): Tensor { return runOp("erf", x); }
export function sigmoid(x: Tensor): Tensor { return runOp("sigmoid", x); }
/** Clamps to [min, max]; either bound may be null (as torch.clamp). */
export function clamp(x: Tensor, min: number | null, max: number | null = null): Tensor { return runOp("clamp", x, min, max); }
export function isnan(x: Tensor): Tensor { return runOp("isnan", x); }
export function isfinite(x: Tensor): Tensor { return runOp("isfinite", x); }
export function lerp(a: Tensor, b: Tensor, weight: Tensor | number): Tensor { return runOp("lerp", a, b, weight); }
export function addcmul(x: Tensor, t1: Tensor, t2: Tensor, value = 1): Tensor { return runOp("addcmul", x, t1, t2, value); }

// comparisons and logic (bool results)
export function eq(a: Tensor, b: Tensor | number): Tensor { return runOp("eq", a, b); }
export function ne(a: Tensor, b: Tensor | number): Tensor { return runOp("ne", a, b); }
export function lt(a: Tensor, b: Tensor | number): Tensor { return runOp("lt", a, b); }
export function le(a: Tensor, b: Tensor | number): Tensor { return runOp("le", a, b); }
export function gt(a: Tensor, b: Tensor | number): Tensor { return runOp("gt", a, b); }
export function ge(a: Tensor, b: Tensor | number): Tensor { return runOp("ge", a, b); }
export function logicalAnd(a: Tensor, b: Tensor): Tensor { return runOp("logical_and", a, b); }
export function logicalOr(a: Tensor, b: Tensor): Tensor { return runOp("logical_or", a, b); }
export function logicalNot(a: Tensor): Tensor { return runOp("logical_not", a); }
/** cond ? a : b element-wise; a or b may be numbers. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor { return runOp("where", cond, a, b); }
/** |a - b| <= atol + rtol * |b| everywhere. */
export function allclose(a: Tensor, b: Tensor, rtol = 1e-5, atol = 1e-8): boolean { return runOpValue("allclose", a, b, rtol, atol) as boolean; }
/** Same shape and exactly equal values. */
export function equal(a: Tensor, b: Tensor): boolean { return runOpValue("equal", a, b) as boolean; }

// reductions
export function sum(x: Tensor, dims: Dims = null, keepdim = false): Tensor { return runOp("sum", x, dims, keepdim); }
export function mean(x: Tensor, dims: Dims = null, keepdim = false): Tensor { return runOp("mean", x, dims, keepdim); }
export function prod(x: Tensor, dim: number | null = null, keepdim = false): Tensor { return runOp("prod", x, dim, keepdim); }
export function amax(x: Tensor, dims: number | readonly number[], keepdim = false): Tensor { return runOp("amax", x, dims, keepdim); }
export function amin(x: Tensor, dims: number | readonly number[], keepdim = false): Tensor { return runOp("amin", x, dims, keepdim); }
/** Max of all elements (0-dim). */
export function max(x: Tensor): Tensor { return runOp("max", x); }
export function min(x: Tensor): Tensor { return runOp("min", x); }
/** [values, indices] of the max along dim. */
export function maxDim(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] { return runOpMulti("max", x, dim, keepdim) as [Tensor, Tensor]; }
export function minDim(x: Tensor, dim: number, keepdim = false): [Tensor, Tensor] { return runOpMulti("min", x, dim, keepdim) as [Tensor, Tensor]; }
export function argmax(x: Tensor, dim: number | null = null, keepdim = false): Tensor { return runOp("argmax", x, dim, keepdim); }
export function argmin(x: Tensor, dim: number | null = null, keepdim = false): Tensor { return runOp("argmin", x, dim, keepdim); }
/** Standard deviation (unbiased by default) over dims (all when null). */
export function std(x: Tensor, dims: Dims = null, unbiased = true, keepdim = false): Tensor { return runOp("std", x, dims, unbiased, keepdim); }
export function variance(x: Tensor, dims: Dims = null, unbiased = true, keepdim = false): Tensor { return runOp("var", x, dims, unbiased, keepdim); }
export function logsumexp(x: Tensor, dims: number | readonly number[], keepdim = false): Tensor { return runOp("logsumexp", x, dims, keepdim); }
export function norm(x: Tensor, p = 2, dims: Dims = null, keepdim = false): Tensor { return runOp("norm", x, p, dims, keepdim); }
export function all(x: Tensor, dim: number | null = null, keepdim = false): Tensor { return runOp("all", x, dim, keepdim); }
export function any(x: Tensor, dim: number | null = null, keepdim = false): Tensor { return runOp("any", x, dim, keepdim); }
export function cumsum(x: Tensor, dim: number): Tensor { return runOp("cumsum", x, dim); }
/** [values, indices] of the k largest (or smallest) along dim. */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): [Tensor, Tensor] {
  return runOpMulti("topk", x, k, dim, largest, sorted) as [Tensor, Tensor];
}
export function sort(x: Tensor, dim = -1, descending = false): [Tensor, Tensor] { return runOpMulti("sort", x, dim, descending) as [Tensor, Tensor]; }
export function argsort(x: Tensor, dim = -1, descending = false): Tensor { return runOp("argsort", x, dim, descending); }

// linear algebra
export function matmul(a: Tensor, b: Tensor): Tensor { return runOp("matmul", a, b); }
export function mm(a: Tensor, b: Tensor): Tensor { return runOp("mm", a, b); }
export function bmm(a: Tensor, b: Tensor): Tensor { return runOp("bmm", a, b); }
export function outer(a: Tensor, b: Tensor): Tensor { return runOp("outer", a, b); }
/** Einstein summation, e.g. einsum("bij,bjk->bik", [a, b]). */
export function einsum(equation: string, operands: readonly Tensor[]): Tensor { return runOp("einsum", equation, operands); }
/** x W^T + b for x [..., in], W [out, in], b [out]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor { return runOp("linear", x, weight, bias); }
export function oneHot(indices: Tensor, numClasses = -1): Tensor { return runOp("one_hot", indices, numClasses); }
