/**
 * The linear-evaluation loss of the AUNCE reference (losses.py `au_softmax_loss`): class-weighted
 * two-way cross-entropy on softmax PROBABILITIES, each clamped below at 1e-3 before the log (so a
 * confidently wrong AU costs at most -log(1e-3) and passes no gradient), index 0 = present.
 * L = mean over b, k of -w_k [y log(max(p0, c)) + (1 - y) log(max(p1, c))].
 */
import { tidy, type Tensor } from "../tensor/index.ts";

export interface WeightedSoftmaxOptions {
  /** Lower clamp on the probabilities (default 1e-3). */
  clampMin?: number;
  /** "mean" (default) or "sum" over batch and AUs. */
  reduction?: "mean" | "sum";
}

/** probs [B, 2, N] (index 0 = present), labels [B, N] in {0, 1}, weights [N] or null -> scalar. */
export function weightedSoftmaxLoss(probs: Tensor, labels: Tensor, weights: Tensor | null = null, opts: WeightedSoftmaxOptions = {}): Tensor {
  if (probs.ndim !== 3 || probs.shape[1] !== 2) throw new RangeError(`weightedSoftmaxLoss: probs must be [B, 2, N], got [${probs.shape}]`);
  if (labels.shape.join() !== [probs.shape[0], probs.shape[2]].join()) {
    throw new RangeError(`weightedSoftmaxLoss: labels must be [${probs.shape[0]}, ${probs.shape[2]}], got [${labels.shape}]`);
  }
  const c = opts.clampMin ?? 1e-3;
  return tidy(() => {
    const y = labels.to(probs.dtype);
    const present = probs.select(1, 0).clampMin(c).log().mul(y);
    const absent = probs.select(1, 1).clampMin(c).log().mul(y.neg().add(1));
    let l = present.add(absent).neg();
    if (weights) l = l.mul(weights.to(probs.dtype).reshape([1, -1]));
    return opts.reduction === "sum" ? l.sum() : l.mean();
  });
}
