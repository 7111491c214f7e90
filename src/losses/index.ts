/** Losses: AUNCE (pre-training), the clamped weighted softmax loss (linear evaluation), the weighted asymmetric loss (ME-GraphAU). */
export { aunceLoss, aunceLossPerAu, drawPositiveTypes, positiveType, AUNCE_DEFAULTS, type AunceLossOptions } from "./aunce.ts";
export { weightedSoftmaxLoss, type WeightedSoftmaxOptions } from "./weighted-softmax.ts";
export { weightedAsymmetricLoss } from "./weighted-asymmetric.ts";
