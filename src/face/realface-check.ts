/**
 * The real-face check (issue 15 part 4): a PROXY for how an AU model behaves on real photos, NOT a
 * validation. No AU-coded real data can be used here, so weak labels come from two sources:
 *
 * - face-api's expression net (`FaceExpressionNet`, trained on real faces) names the expression of
 *   each detected face; only faces it is sure of (p >= 0.9 by default) are labelled.
 * - FACS/EMFACS prototypes of those expressions say which AUs should then be present or absent
 *   (`PROTOTYPE_RULES`: the rules issue 15 lists, plus a few more from the EMFACS prototypes).
 *
 * Agreement = the share of (face, rule) pairs where the model's presence (probability >= the
 * threshold) is what the rule says. It also measures mirror consistency: the same photo flipped
 * left-right should give the same AU probabilities (within 0.05) for each face.
 */
import { fromArray, noGrad, type Tensor } from "../tensor/index.ts";
import type { AuModel } from "./au-model.ts";
import { EXPRESSION_LABELS, expressionBox, FaceExpressionNet, type Expression } from "./expression.ts";
import type { RgbImage } from "./image.ts";
import { imageToTensor, mirrorImage } from "./image.ts";
import type { FaceAnalysis, FacePipeline } from "./pipeline.ts";

/** "Faces with this expression should show (present) / not show (absent) this AU." */
export interface PrototypeRule {
  expression: Expression;
  au: number;
  present: boolean;
  /** Where the rule comes from: issue 15's list, or the EMFACS prototype of the expression. */
  source: "issue15" | "emfacs";
}

const rule = (expression: Expression, au: number, present: boolean, source: PrototypeRule["source"]): PrototypeRule => ({ expression, au, present, source });

/**
 * The weak-label rules. issue 15: happy -> AU6, AU12 present, AU4 absent; neutral -> AU4, AU12,
 * AU15 absent; surprise -> AU1, AU2 present; anger -> AU4 present; sadness -> AU1, AU15 present.
 * EMFACS prototypes add: sadness 1+4+15 (AU4 present); anger 4+5+7+23 (AU7, AU23 present); fear
 * 1+2+4+5+7+20+26 (AU1, AU2, AU4 present); disgust 9/10+15+16 (AU10 present). Rules for AUs a
 * model does not output are skipped.
 */
export const PROTOTYPE_RULES: readonly PrototypeRule[] = [
  rule("happy", 6, true, "issue15"), rule("happy", 12, true, "issue15"), rule("happy", 4, false, "issue15"),
  rule("neutral", 4, false, "issue15"), rule("neutral", 12, false, "issue15"), rule("neutral", 15, false, "issue15"),
  rule("surprised", 1, true, "issue15"), rule("surprised", 2, true, "issue15"),
  rule("angry", 4, true, "issue15"),
  rule("sad", 1, true, "issue15"), rule("sad", 15, true, "issue15"),
  rule("sad", 4, true, "emfacs"),
  rule("angry", 7, true, "emfacs"), rule("angry", 23, true, "emfacs"),
  rule("fearful", 1, true, "emfacs"), rule("fearful", 2, true, "emfacs"), rule("fearful", 4, true, "emfacs"),
  rule("disgusted", 10, true, "emfacs"),
];

/**
 * What the check scores when it is not the pipeline's AU model as is: AU numbers and a function
 * from the pipeline's analysis of a face (box, landmarks, alignment, the AU model's probabilities)
 * to probabilities in `aus` order, e.g. a landmark-geometry model or a fusion (geometry-au.ts).
 */
export interface FaceScorer {
  readonly aus: readonly number[];
  score(face: FaceAnalysis): ArrayLike<number>;
}

/** Settings of checkRealFaces. */
export interface RealFaceCheckOptions {
  /** A face is labelled only when its top expression has at least this probability. Default 0.9. */
  minExpressionProbability?: number;
  /** AU presence threshold. Default 0.5 (the spec's F1 threshold). */
  threshold?: number;
  /** Mirror consistency tolerance on each AU probability. Default 0.05. */
  flipTolerance?: number;
  /** The rules; default PROTOTYPE_RULES. */
  rules?: readonly PrototypeRule[];
  /** Scores faces with this instead of the pipeline's AU model output. */
  scorer?: FaceScorer;
  /** Called after each image (progress on long runs). */
  onImage?: (name: string, done: number, total: number) => void;
}

/** One detected face of the check. */
export interface RealFace {
  image: string;
  box: FaceAnalysis["box"];
  expression: Expression;
  expressionProbability: number;
  /** Whether the face was labelled (expressionProbability >= minExpressionProbability). */
  labelled: boolean;
  /** AU probabilities in model.aus order. */
  probabilities: number[];
  /** The same face in the mirrored photo (null when not found there). */
  mirroredProbabilities: number[] | null;
}

/** Agreement counts. */
export interface Agreement { agree: number; total: number; rate: number }

/** What checkRealFaces measured. */
export interface RealFaceCheckResult {
  aus: number[];
  options: Required<Omit<RealFaceCheckOptions, "onImage" | "rules" | "scorer">>;
  faces: RealFace[];
  /** Labelled faces per expression. */
  labelled: Partial<Record<Expression, number>>;
  /** Per AU with at least one applicable (face, rule) pair. */
  perAu: ({ au: number } & Agreement)[];
  overall: Agreement;
  /**
   * The same rules scored for trivial answers on the same faces: every AU present, every AU
   * absent. A model is only informative here where it beats both.
   */
  baselines: { allPresent: Agreement; allAbsent: Agreement };
  flip: {
    /** Faces found in both the photo and its mirror. */
    matched: number;
    /** Of those, faces whose every AU probability moved by <= flipTolerance. */
    consistent: number;
    /** Largest |p - p_mirrored| over faces and AUs. */
    maxDiff: number;
    /** Mean |p - p_mirrored| per AU (model.aus order). */
    meanAbsDiff: number[];
  };
}

export { mirrorImage } from "./image.ts";

/**
 * An AU model that averages the wrapped model's outputs on the crops and on their mirror images: an
 * opt-in way to make outputs mirror-symmetric (twice the AU-model cost). Does not own `inner`.
 */
export class MirrorAveragedAuModel implements AuModel {
  readonly aus: number[];
  readonly normalisation?: AuModel["normalisation"];
  readonly description: string;
  readonly device?: string;
  private index: Tensor | null = null;

  constructor(private readonly inner: AuModel) {
    this.aus = inner.aus;
    this.normalisation = inner.normalisation;
    this.device = inner.device;
    this.description = `${inner.description ?? "custom AuModel"}, averaged with its mirror image`;
  }

  prepare(): void {
    this.inner.prepare?.();
  }

  predict(crops: Tensor): Tensor {
    const w = crops.shape[3];
    if (!this.index || this.index.shape[0] !== w) {
      this.index?.dispose();
      this.index = fromArray(BigInt64Array.from({ length: w }, (_, i) => BigInt(w - 1 - i)), [w], { dtype: "int64" });
    }
    const flipped = crops.indexSelect(3, this.index);
    const a = this.inner.predict(crops);
    const b = this.inner.predict(flipped);
    flipped.dispose();
    const mean = a.add_(b).mul_(0.5);
    b.dispose();
    return mean;
  }

  dispose(): void {
    this.index?.dispose();
    this.index = null;
  }
}

function validate(opts: RealFaceCheckOptions): Required<Omit<RealFaceCheckOptions, "onImage" | "rules" | "scorer">> {
  const o = { minExpressionProbability: opts.minExpressionProbability ?? 0.9, threshold: opts.threshold ?? 0.5, flipTolerance: opts.flipTolerance ?? 0.05 };
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new RangeError(`checkRealFaces: ${k} must be a number in [0, 1], got ${JSON.stringify(v)}`);
  }
  return o;
}

/** Faces of one image: pipeline analyses plus the expression of each (on face-api's aligned box). */
function analyse(pipeline: FacePipeline, expressions: FaceExpressionNet, img: RgbImage): { a: FaceAnalysis; e: ReturnType<FaceExpressionNet["classify"]>[number] }[] {
  const analyses = pipeline.analyze(img);
  if (!analyses.length) return [];
  const frame = noGrad(() => imageToTensor(img));
  try {
    const e = expressions.classify(img, analyses.map((a) => expressionBox(a.landmarks)), frame);
    return analyses.map((a, i) => ({ a, e: e[i] }));
  } finally {
    frame.dispose();
  }
}

/** Scores rule agreement over labelled faces (exported for tests on hand-made faces). */
export function scoreAgreement(faces: readonly Pick<RealFace, "expression" | "labelled" | "probabilities">[], aus: readonly number[], threshold: number, rules: readonly PrototypeRule[] = PROTOTYPE_RULES): { perAu: ({ au: number } & Agreement)[]; overall: Agreement } {
  const counts = new Map<number, { agree: number; total: number }>();
  for (const f of faces) {
    if (!f.labelled) continue;
    for (const r of rules) {
      const k = aus.indexOf(r.au);
      if (r.expression !== f.expression || k < 0) continue;
      const c = counts.get(r.au) ?? { agree: 0, total: 0 };
      c.total++;
      if ((f.probabilities[k] >= threshold) === r.present) c.agree++;
      counts.set(r.au, c);
    }
  }
  const rate = (c: { agree: number; total: number }): Agreement => ({ ...c, rate: c.total ? c.agree / c.total : NaN });
  const perAu = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([au, c]) => ({ au, ...rate(c) }));
  const sum = perAu.reduce((s, c) => ({ agree: s.agree + c.agree, total: s.total + c.total }), { agree: 0, total: 0 });
  return { perAu, overall: rate(sum) };
}

/**
 * Runs the check on named images with `pipeline` (its AU model is the one checked, or
 * `opts.scorer` on the pipeline's analyses) and the expression net. Each image is also run mirrored; a mirrored face is matched to the original whose
 * mirrored box centre is nearest (within half the box width).
 */
export function checkRealFaces(pipeline: FacePipeline, expressions: FaceExpressionNet, images: readonly { name: string; image: RgbImage }[], opts: RealFaceCheckOptions = {}): RealFaceCheckResult {
  const o = validate(opts);
  const aus = [...(opts.scorer?.aus ?? pipeline.auModel.aus)];
  const score = (a: FaceAnalysis): number[] => {
    const p = opts.scorer ? opts.scorer.score(a) : a.probabilities;
    if (p.length !== aus.length) throw new RangeError(`checkRealFaces: the scorer gave ${p.length} probabilities for ${aus.length} AUs`);
    return Array.from(p);
  };
  const faces: RealFace[] = [];
  for (const [n, { name, image }] of images.entries()) {
    const orig = analyse(pipeline, expressions, image);
    const mirrored = pipeline.analyze(mirrorImage(image));
    for (const { a, e } of orig) {
      const cx = image.width - (a.box.x + a.box.width / 2), cy = a.box.y + a.box.height / 2;
      let best: FaceAnalysis | null = null, bestD = a.box.width / 2;
      for (const m of mirrored) {
        const d = Math.hypot(m.box.x + m.box.width / 2 - cx, m.box.y + m.box.height / 2 - cy);
        if (d <= bestD) { best = m; bestD = d; }
      }
      faces.push({
        image: name,
        box: a.box,
        expression: e.top,
        expressionProbability: e.topProbability,
        labelled: e.topProbability >= o.minExpressionProbability,
        probabilities: score(a),
        mirroredProbabilities: best ? score(best) : null,
      });
    }
    opts.onImage?.(name, n + 1, images.length);
  }
  const labelled: Partial<Record<Expression, number>> = {};
  for (const f of faces) if (f.labelled) labelled[f.expression] = (labelled[f.expression] ?? 0) + 1;
  const rules = opts.rules ?? PROTOTYPE_RULES;
  const { perAu, overall } = scoreAgreement(faces, aus, o.threshold, rules);
  const constant = (p: number) => scoreAgreement(faces.map((f) => ({ ...f, probabilities: aus.map(() => p) })), aus, o.threshold, rules).overall;
  const baselines = { allPresent: constant(1), allAbsent: constant(0) };
  const pairs = faces.filter((f) => f.mirroredProbabilities);
  const meanAbsDiff = aus.map(() => 0);
  let consistent = 0, maxDiff = 0;
  for (const f of pairs) {
    let worst = 0;
    f.probabilities.forEach((p, k) => {
      const d = Math.abs(p - f.mirroredProbabilities![k]);
      meanAbsDiff[k] += d / pairs.length;
      worst = Math.max(worst, d);
    });
    if (worst <= o.flipTolerance) consistent++;
    maxDiff = Math.max(maxDiff, worst);
  }
  return { aus, options: o, faces, labelled, perAu, overall, baselines, flip: { matched: pairs.length, consistent, maxDiff, meanAbsDiff } };
}

const pct = (x: number) => (Number.isNaN(x) ? "n/a" : `${(100 * x).toFixed(1)}%`);

/** A plain-text report of a check (states that it is a proxy). */
export function formatRealFaceReport(r: RealFaceCheckResult): string {
  const lines = [
    "Real-face check: a PROXY (expression-net weak labels + FACS/EMFACS prototypes), not a validation.",
    `faces: ${r.faces.length}; labelled (expression p >= ${r.options.minExpressionProbability}): ` +
      (EXPRESSION_LABELS.filter((l) => r.labelled[l]).map((l) => `${l} ${r.labelled[l]}`).join(", ") || "none"),
    "AU    agree/rules  agreement",
    ...r.perAu.map((c) => `AU${String(c.au).padStart(2, "0")}  ${String(c.agree).padStart(5)}/${String(c.total).padEnd(5)}  ${pct(c.rate)}`),
    `all   ${String(r.overall.agree).padStart(5)}/${String(r.overall.total).padEnd(5)}  ${pct(r.overall.rate)}`,
    `baselines on the same rules: every AU present ${pct(r.baselines.allPresent.rate)}, every AU absent ${pct(r.baselines.allAbsent.rate)}`,
    `mirror: ${r.flip.consistent}/${r.flip.matched} faces within ${r.options.flipTolerance} on every AU; max |dp| ${r.flip.maxDiff.toFixed(3)}; ` +
      `mean |dp| per AU: ${r.aus.map((au, k) => `AU${au} ${r.flip.meanAbsDiff[k].toFixed(3)}`).join(" ")}`,
  ];
  return lines.join("\n");
}
