/** Neural-network ops as free functions (torch.nn.functional names and defaults). */
import { runOp, type Tensor } from "../tensor.ts";

type Pair = number | readonly [number, number];
/** libtorch's 2-d ops want both sizes spelled out for some arguments (adaptive pooling). */
const pair = (v: Pair): readonly [number, number] => (typeof v === "number" ? [v, v] : v);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}
/** 2-D convolution: x [B,Cin,H,W], weight [Cout,Cin/groups,kh,kw], bias [Cout]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  return runOp("conv2d", x, weight, bias, o.stride ?? 1, o.padding ?? 0, o.dilation ?? 1, o.groups ?? 1);
}

/**
 * A conv weight reordered once into oneDNN's layout for `mkldnnConv2d` with these options
 * (weight: strided [Cout,Cin/groups,kh,kw] float32). Frozen inference only: no autograd.
 */
export function mkldnnConv2dWeight(weight: Tensor, o: Conv2dOptions = {}): Tensor {
  const m = weight.toMkldnn();
  try {
    // oneDNN reads the sizes' length as the conv's rank: always spell out both (a bare number would make it 1-d).
    return runOp("mkldnn_reorder_conv2d_weight", m, pair(o.padding ?? 0), pair(o.stride ?? 1), pair(o.dilation ?? 1), o.groups ?? 1);
  } finally {
    m.dispose();
  }
}
/**
 * oneDNN convolution: x and weight both in oneDNN's layout (x.toMkldnn(), mkldnnConv2dWeight;
 * bias toMkldnn() too) gives a oneDNN-layout result; both strided gives a strided one.
 */
export function mkldnnConv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: Conv2dOptions = {}): Tensor {
  return runOp("mkldnn_convolution", x, weight, bias, pair(o.padding ?? 0), pair(o.stride ?? 1), pair(o.dilation ?? 1), o.groups ?? 1);
}

export interface BatchNormOptions {
  training?: boolean;
  momentum?: number;
  eps?: number;
}
/**
 * Batch normalisation over dim 1 (x [B,C] or [B,C,...]). In training mode the batch statistics
 * are used and runningMean/runningVar are updated in place (momentum 0.1, unbiased variance), as
 * F.batch_norm does.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null, bias: Tensor | null, o: BatchNormOptions = {}): Tensor {
  return runOp("batch_norm", x, weight, bias, runningMean, runningVar, o.training ?? false, o.momentum ?? 0.1, o.eps ?? 1e-5);
}
/** Layer normalisation over the trailing `normalizedShape` dims. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return runOp("layer_norm", x, normalizedShape, weight, bias, eps);
}
export function groupNorm(x: Tensor, groups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return runOp("group_norm", x, groups, weight, bias, eps);
}

export function relu(x: Tensor): Tensor { return runOp("relu", x); }
/** GELU; approximate "none" (erf, the default as in PyTorch) or "tanh". */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor { return runOp("gelu", x, approximate); }
export function silu(x: Tensor): Tensor { return runOp("silu", x); }
export function leakyRelu(x: Tensor, slope = 0.01): Tensor { return runOp("leaky_relu", x, slope); }
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor { return runOp("softplus", x, beta, threshold); }
export function softmax(x: Tensor, dim: number): Tensor { return runOp("softmax", x, dim); }
export function logSoftmax(x: Tensor, dim: number): Tensor { return runOp("log_softmax", x, dim); }

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}
export function maxPool2d(x: Tensor, kernel: Pair, o: Pool2dOptions & { dilation?: Pair } = {}): Tensor {
  return runOp("max_pool2d", x, kernel, o.stride ?? kernel, o.padding ?? 0, o.dilation ?? 1, o.ceilMode ?? false);
}
export function avgPool2d(x: Tensor, kernel: Pair, o: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor {
  return runOp("avg_pool2d", x, kernel, o.stride ?? kernel, o.padding ?? 0, o.ceilMode ?? false, o.countIncludePad ?? true);
}
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor { return runOp("adaptive_avg_pool2d", x, pair(outputSize)); }
export function adaptiveMaxPool2d(x: Tensor, outputSize: Pair): Tensor { return runOp("adaptive_max_pool2d", x, pair(outputSize)); }
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor { return runOp("adaptive_avg_pool1d", x, outputSize); }

/** Resizes x [B,C,H,W] to `size` [h, w]. */
export function interpolate(x: Tensor, size: readonly [number, number], mode: "nearest" | "bilinear" | "bicubic" = "nearest", alignCorners = false, antialias = false): Tensor {
  return runOp("interpolate", x, size, mode, alignCorners, antialias);
}
/** Samples x [B,C,H,W] at grid [B,h,w,2] (normalised -1..1 coordinates). */
export function gridSample(x: Tensor, grid: Tensor, mode: "bilinear" | "nearest" | "bicubic" = "bilinear", padding: "zeros" | "border" | "reflection" = "zeros", alignCorners = false): Tensor {
  return runOp("grid_sample", x, grid, mode, padding, alignCorners);
}
/** Sampling grid [B,H,W,2] for affine matrices theta [B,2,3] and output size [B,C,H,W]. */
export function affineGrid(theta: Tensor, size: readonly number[], alignCorners = false): Tensor {
  return runOp("affine_grid", theta, size, alignCorners);
}
/** Zeroes elements with probability p and scales the rest by 1/(1-p) when training. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor { return runOp("dropout", x, p, training); }
export function embedding(indices: Tensor, weight: Tensor): Tensor { return runOp("embedding", weight, indices); }

type Reduction = "none" | "mean" | "sum";
/** Cross-entropy of logits [B,C] against class indices [B] (int64). */
export function crossEntropy(logits: Tensor, target: Tensor, o: { weight?: Tensor; reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number } = {}): Tensor {
  return runOp("cross_entropy", logits, target, o.weight ?? null, o.reduction ?? "mean", o.ignoreIndex ?? -100, o.labelSmoothing ?? 0);
}
export function nllLoss(logProbs: Tensor, target: Tensor, o: { weight?: Tensor; reduction?: Reduction } = {}): Tensor {
  return runOp("nll_loss", logProbs, target, o.weight ?? null, o.reduction ?? "mean");
}
export function mseLoss(x: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor { return runOp("mse_loss", x, target, reduction); }
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, o: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction } = {}): Tensor {
  return runOp("binary_cross_entropy_with_logits", logits, target, o.weight ?? null, o.posWeight ?? null, o.reduction ?? "mean");
}
