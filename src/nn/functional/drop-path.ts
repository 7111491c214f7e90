/** Stochastic depth (drop path) as timm's drop_path: whole samples of a residual branch are dropped. */
import { bernoulli, empty, type Tensor } from "../../tensor/index.ts";

/**
 * Zeroes each sample's branch with probability p and scales the kept ones by 1/(1-p) (timm's
 * scale_by_keep=True). Identity when p is 0 or not training.
 */
export function dropPath(x: Tensor, p: number, training: boolean): Tensor {
  if (p === 0 || !training) return x.alias();
  const keep = 1 - p;
  const shape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
  const like = empty(shape, { dtype: x.dtype, device: x.device });
  const mask = bernoulli(like, keep);
  like.dispose();
  const scaled = mask.div(keep);
  mask.dispose();
  const out = x.mul(scaled);
  scaled.dispose();
  return out;
}
