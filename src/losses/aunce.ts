/**
 * The AUNCE loss (docs: aunce-spec.md section 4), vectorised over AUs and anchors.
 *
 * Two views z, z' [B, C, N] (unit-norm AU embeddings) are stacked into 2B anchors. Per AU k:
 * S_ij = exp(<z_i, z_j> / tau) over all 2B x 2B pairs; positives of i share its label (i itself and
 * its other view included), negatives do not. One uniform draw u_k per AU picks the positive term
 * for every anchor: u < 0.2 the max over positives, u < 0.8 the SUM over positives divided by 2B
 * (the reference divides by 2B, not by the positive count; kept for fidelity), else S with the
 * anchor's own other view. Negatives are sum S_ij^beta with beta 1.2 when the anchor has the AU,
 * 0.8 when not. L_k = mean over anchors of -log(pos / (pos + neg)); L = mean over AUs. An AU whose
 * batch is all one label has no negatives and gives exactly 0 (still averaged in).
 * The self term comes from the real dot product (not the constant e^(1/tau)), so it carries the
 * gradient the reference's does when embeddings are not exactly unit-norm.
 */
import { bmm, cat, log1p, logicalAnd, rand, tensor, tidy, type Tensor } from "../tensor/index.ts";

/** Options of the AUNCE loss; defaults are the reference's. */
export interface AunceLossOptions {
  /** tau (default 0.5). */
  temperature?: number;
  /** [t1, t2]: u < t1 max, t1 <= u < t2 sum/2B, u >= t2 other view (default [0.2, 0.8]). */
  thresholds?: readonly [number, number];
  /** Negative exponents [when the anchor has the AU, when it does not] (default [1.2, 0.8]). */
  betas?: readonly [number, number];
  /** Per-AU weights w_k multiplying L_k (default none, as the reference's `--info_nce enhance`). */
  classWeights?: Tensor | readonly number[] | null;
  /** Per-AU uniform draws u_k in [0, 1) (default: drawn with libtorch's generator; see drawPositiveTypes). */
  draws?: readonly number[];
}

export const AUNCE_DEFAULTS = { temperature: 0.5, thresholds: [0.2, 0.8] as const, betas: [1.2, 0.8] as const };

/** n uniform draws in [0, 1) from libtorch's generator (reproducible under manualSeed). */
export function drawPositiveTypes(n: number): number[] {
  return tidy(() => Array.from(rand([n]).to("float64").data() as Float64Array));
}

/** Which positive term a draw selects, for logging: "max", "mean" or "view". */
export function positiveType(u: number, thresholds: readonly [number, number] = AUNCE_DEFAULTS.thresholds): "max" | "mean" | "view" {
  return u < thresholds[0] ? "max" : u < thresholds[1] ? "mean" : "view";
}

function check(z1: Tensor, z2: Tensor, labels: Tensor): void {
  if (z1.ndim !== 3 || z1.shape.join() !== z2.shape.join()) {
    throw new RangeError(`aunceLoss: z1 and z2 must both be [B, C, N], got [${z1.shape}] and [${z2.shape}]`);
  }
  const [b, , n] = z1.shape;
  if (labels.ndim !== 2 || labels.shape[0] !== b || labels.shape[1] !== n) {
    throw new RangeError(`aunceLoss: labels must be [${b}, ${n}] (B, N) for embeddings [${z1.shape}], got [${labels.shape}]`);
  }
}

/**
 * Per-AU AUNCE losses L_k (class weights applied when given): z1, z2 [B, C, N] float, labels [B, N]
 * in {0, 1} -> [N].
 */
export function aunceLossPerAu(z1: Tensor, z2: Tensor, labels: Tensor, opts: AunceLossOptions = {}): Tensor {
  check(z1, z2, labels);
  const tau = opts.temperature ?? AUNCE_DEFAULTS.temperature;
  const [t1, t2] = opts.thresholds ?? AUNCE_DEFAULTS.thresholds;
  const [betaPos, betaNeg] = opts.betas ?? AUNCE_DEFAULTS.betas;
  const [b, , n] = z1.shape;
  const draws = opts.draws ?? drawPositiveTypes(n);
  if (draws.length !== n) throw new RangeError(`aunceLoss: need one draw per AU (${n}), got ${draws.length}`);
  return tidy(() => {
    const dtype = z1.dtype;
    const zt = cat([z1, z2], 0).permute([2, 0, 1]); // [N, 2B, C]
    const s = bmm(zt, zt.transpose(1, 2)); // [N, 2B, 2B]: s[k, i, j] = <z_i, z_j> for AU k
    const S = s.div(tau).exp();
    const y = cat([labels, labels], 0).transpose(0, 1).to(dtype); // [N, 2B]
    const same = y.unsqueeze(2).eq(y.unsqueeze(1)).to(dtype); // positives of anchor i (dim 1)
    const other = same.neg().add(1);

    const posS = S.mul(same);
    const [posMax] = posS.maxDim(2); // the argmax gets the gradient, as torch.max(dim) does
    const posMean = posS.sum(2).div(2 * b);
    const partner = tensor(Array.from({ length: 2 * b }, (_, i) => (i + b) % (2 * b)), { dtype: "int64", device: z1.device });
    const posView = S.gather(2, partner.view([1, 2 * b, 1]).expand([n, 2 * b, 1])).squeeze(2); // S[k, i, partner(i)]

    const u = tensor([...draws], { dtype: "float64", device: z1.device });
    const pick = (m: Tensor) => m.to(dtype).unsqueeze(1); // [N, 1]
    const pos = posMax.mul(pick(u.lt(t1)))
      .add(posMean.mul(pick(logicalAnd(u.ge(t1), u.lt(t2)))))
      .add(posView.mul(pick(u.ge(t2))));

    // S^beta = exp(beta * s / tau), beta per anchor (dim 1) by its own label.
    const beta = y.mul(betaPos - betaNeg).add(betaNeg).unsqueeze(2); // [N, 2B, 1]
    const neg = s.mul(beta).div(tau).exp().mul(other).sum(2);
    // -log(pos / (pos + neg)) = log1p(neg / pos): exact 0 when there are no negatives.
    let perAu = log1p(neg.div(pos)).mean(1); // [N]
    if (opts.classWeights) {
      const w = Array.isArray(opts.classWeights) ? tensor([...(opts.classWeights as number[])], { dtype, device: z1.device }) : (opts.classWeights as Tensor);
      if (w.numel !== n) throw new RangeError(`aunceLoss: classWeights must have ${n} entries, got [${w.shape}]`);
      perAu = perAu.mul(w.reshape([n]).to(dtype));
    }
    return perAu;
  });
}

/**
 * The AUNCE loss (a scalar): mean over AUs of aunceLossPerAu.
 * @example const loss = aunceLoss(model.forward(view1), model.forward(view2), labels, { draws });
 */
export function aunceLoss(z1: Tensor, z2: Tensor, labels: Tensor, opts: AunceLossOptions = {}): Tensor {
  return tidy(() => aunceLossPerAu(z1, z2, labels, opts).mean());
}
