/** The nn layer: Module, parameters, layers, initialisers, functional helpers and optimizers. */
export { Module, type LoadReport } from "./module.ts";
export { Parameter, ModuleBuffer } from "./parameter.ts";
export { Linear } from "./layers/linear.ts";
export { Conv2d, type Conv2dConfig } from "./layers/conv.ts";
export { BatchNorm1d, BatchNorm2d, convertSyncBatchNorm, type BatchNormConfig } from "./layers/batchnorm.ts";
export { LayerNorm } from "./layers/layernorm.ts";
export { Dropout, DropPath } from "./layers/dropout.ts";
export { Sequential, ModuleList } from "./layers/containers.ts";
export { ReLU, GELU, Identity } from "./layers/activation.ts";
export * as init from "./init.ts";
export { dropPath } from "./functional/drop-path.ts";
export { normalize } from "./functional/normalize.ts";
export { Optimizer, SGD, Adam, AdamW, type ParamGroup, type GroupOptions } from "./optim/optimizer.ts";
export { GradScaler, type GradScalerOptions, type GradScalerState } from "./optim/grad-scaler.ts";
export { FrozenConv2d, foldBatchNorm, defaultFrozenLayout, toFrozenLayout, fromFrozenLayout, type FrozenLayout, type FrozenConvOptions, type BatchNormStats } from "./frozen.ts";
