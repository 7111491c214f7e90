/**
 * ME-GraphAU's Weighted Asymmetric Loss (utils.py `WeightedAsymmetricLoss`, MIT; spec section 5):
 * L = -mean_b mean_k w_k [y log(max(x, eps)) + (1 - y) x log(max(1 - x, eps))], where the factor x
 * on the negative term is detached (it down-weights easy negatives without being trained itself).
 */
import { tidy, type Tensor } from "../tensor/index.ts";

/** x [B, N] scores in [0, 1], labels [B, N] in {0, 1}, weights [N] or null -> scalar. */
export function weightedAsymmetricLoss(x: Tensor, labels: Tensor, weights: Tensor | null = null, eps = 1e-8): Tensor {
  if (x.ndim !== 2 || labels.shape.join() !== x.shape.join()) {
    throw new RangeError(`weightedAsymmetricLoss: x and labels must both be [B, N], got [${x.shape}] and [${labels.shape}]`);
  }
  return tidy(() => {
    const y = labels.to(x.dtype);
    const pos = x.clampMin(eps).log().mul(y);
    const focus = x.detach();
    const neg = x.neg().add(1).clampMin(eps).log().mul(y.neg().add(1)).mul(focus);
    let l = pos.add(neg);
    if (weights) l = l.mul(weights.to(x.dtype).reshape([1, -1]));
    return l.mean(1).mean().neg();
  });
}
