/** The tensor layer: typed Tensor, factories, ops, scopes and engine settings. */
export { Tensor, runOp, runOpMulti, runOpValue, type Arg } from "./tensor.ts";
export { type DType, type TypedArrayOf, type AnyTypedArray, itemSize, dtypeOfArray, isFloating } from "./dtype.ts";
export { tidy, keep, startScope, endScope, scopeDepth } from "./scope.ts";
export * from "./ops/creation.ts";
export * from "./ops/math.ts";
export * from "./ops/shape.ts";
export * from "./ops/nn.ts";
export * from "./runtime.ts";
export * from "./distributed.ts";
