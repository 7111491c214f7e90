/** L_p normalisation along a dim, as torch.nn.functional.normalize. */
import type { Tensor } from "../../tensor/index.ts";

/** x / max(||x||_p, eps) along dim. */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const n = x.norm(p, dim, true);
  const d = n.clampMin(eps);
  n.dispose();
  const e = d.expand(x.shape);
  d.dispose();
  const out = x.div(e);
  e.dispose();
  return out;
}
