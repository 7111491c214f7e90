/**
 * Bootstrap over test subjects: the frames of one subject are not independent (same face, same
 * session), so the unit of resampling is the subject. Each resample draws the test fold's subjects
 * with replacement (seeded: the draw depends on (seed, fold, resample) only, so two arms evaluated
 * on the same fold get the same draws and their difference is a paired comparison), weights every
 * frame by its subject's draw count, and recomputes per-AU F1, ROC-AUC, the "always present" F1 and
 * the base rate. Over several folds a statistic is the mean of the folds' (the paper's 3-fold
 * mean), each fold resampled within itself. Intervals are percentiles of the resampled values.
 */
import { Rng } from "../data/index.ts";
import type { TestPredictions } from "./predictions.ts";

/** Per-AU scores of one (possibly resampled) evaluation, with their means over AUs. */
export interface AuStats {
  f1: number[];
  /** NaN when the (resampled) frames hold one class only. */
  auc: number[];
  /** F1 of answering "present" on every frame: 2P / (P + n). */
  presentF1: number[];
  /** Share of positive frames among the labelled ones. */
  baseRate: number[];
  meanF1: number;
  /** Mean over the AUs with a finite AUC. */
  meanAuc: number;
  meanPresentF1: number;
}

/** A statistic's value on the real test frames and its percentile interval over the resamples. */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/** The outcome of a claim's test: the interval of the difference lies above 0, below 0, or spans it. */
export type Verdict = "holds" | "fails" | "cannot tell at this scale";

/** A subject-weighted view of one run's predictions, built once, evaluated for any weights. */
export class SubjectResampler {
  readonly numSubjects: number;
  readonly numAus: number;
  readonly subjects: readonly string[];
  /** [N][nSub*4]: tp, fp, fn, tn of each subject at the AU's threshold. */
  private readonly counts: Float64Array[];
  /** Per AU, the labelled frames in ascending score: subject, positive?, and where each tie group ends. */
  private readonly sorted: { sub: Int32Array; pos: Uint8Array; groupEnd: Int32Array }[];

  constructor(p: TestPredictions) {
    const N = p.aus.length;
    const n = p.subject.length;
    this.numAus = N;
    this.numSubjects = p.subjects.length;
    this.subjects = p.subjects;
    this.counts = [];
    this.sorted = [];
    for (let k = 0; k < N; k++) {
      const c = new Float64Array(this.numSubjects * 4);
      const idx: number[] = [];
      for (let i = 0; i < n; i++) {
        const y = p.labels[i * N + k];
        if (y < 0) continue;
        idx.push(i);
        const pred = p.probs[i * N + k] >= p.thresholds[k];
        c[p.subject[i] * 4 + (pred ? (y > 0 ? 0 : 1) : y > 0 ? 2 : 3)]++;
      }
      this.counts.push(c);
      idx.sort((a, b) => p.probs[a * N + k] - p.probs[b * N + k]);
      const sub = Int32Array.from(idx, (i) => p.subject[i]);
      const pos = Uint8Array.from(idx, (i) => (p.labels[i * N + k] > 0 ? 1 : 0));
      const ends: number[] = [];
      for (let j = 0; j < idx.length; j++) if (j + 1 === idx.length || p.probs[idx[j + 1] * N + k] !== p.probs[idx[j] * N + k]) ends.push(j + 1);
      this.sorted.push({ sub, pos, groupEnd: Int32Array.from(ends) });
    }
  }

  /** The scores with subject s counted w[s] times (all ones: the plain test-fold scores). */
  stats(w?: ArrayLike<number>): AuStats {
    const weights = w ?? new Float64Array(this.numSubjects).fill(1);
    if (weights.length !== this.numSubjects) throw new RangeError(`stats: ${this.numSubjects} subject weights needed, got ${weights.length}`);
    const f1: number[] = [], auc: number[] = [], presentF1: number[] = [], baseRate: number[] = [];
    for (let k = 0; k < this.numAus; k++) {
      const c = this.counts[k];
      let tp = 0, fp = 0, fn = 0, tn = 0;
      for (let s = 0; s < this.numSubjects; s++) {
        const ws = weights[s];
        if (ws === 0) continue;
        tp += ws * c[s * 4];
        fp += ws * c[s * 4 + 1];
        fn += ws * c[s * 4 + 2];
        tn += ws * c[s * 4 + 3];
      }
      const d = 2 * tp + fp + fn;
      f1.push(d === 0 ? 0 : (2 * tp) / d);
      const positives = tp + fn;
      const count = tp + fp + fn + tn;
      presentF1.push(positives + count === 0 ? 0 : (2 * positives) / (positives + count));
      baseRate.push(count === 0 ? NaN : positives / count);
      auc.push(weightedAuc(this.sorted[k], weights));
    }
    return { f1, auc, presentF1, baseRate, meanF1: mean(f1), meanAuc: mean(auc.filter(Number.isFinite)), meanPresentF1: mean(presentF1) };
  }
}

/** Mann-Whitney AUC with frame weights w[subject]; ties count half. */
function weightedAuc(s: { sub: Int32Array; pos: Uint8Array; groupEnd: Int32Array }, w: ArrayLike<number>): number {
  let negBelow = 0, num = 0, P = 0;
  let j = 0;
  for (const end of s.groupEnd) {
    let gp = 0, gn = 0;
    for (; j < end; j++) {
      const wi = w[s.sub[j]];
      if (s.pos[j]) gp += wi;
      else gn += wi;
    }
    num += gp * (negBelow + 0.5 * gn);
    negBelow += gn;
    P += gp;
  }
  return P === 0 || negBelow === 0 ? NaN : num / (P * negBelow);
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * Draw counts of `numSubjects` subjects drawn with replacement, for resample `b` of fold `fold`
 * under `seed`: the same key gives the same draw for every arm.
 */
export function subjectDraw(numSubjects: number, seed: number, fold: number, b: number): Float64Array {
  const rng = new Rng(seed, fold, b, 0x42535450);
  const w = new Float64Array(numSubjects);
  for (let i = 0; i < numSubjects; i++) w[Math.min(numSubjects - 1, Math.floor(rng.next() * numSubjects))]++;
  return w;
}

/** Mean of several folds' stats, AU by AU (AUC over the folds where it is finite). */
export function meanStats(folds: AuStats[]): AuStats {
  if (!folds.length) throw new RangeError("meanStats: no folds");
  const N = folds[0].f1.length;
  const at = (pick: (s: AuStats) => number[], k: number, finiteOnly = false) => {
    const v = folds.map((s) => pick(s)[k]);
    return mean(finiteOnly ? v.filter(Number.isFinite) : v);
  };
  const perAu = (pick: (s: AuStats) => number[], finiteOnly = false) => Array.from({ length: N }, (_, k) => at(pick, k, finiteOnly));
  return {
    f1: perAu((s) => s.f1), auc: perAu((s) => s.auc, true), presentF1: perAu((s) => s.presentF1), baseRate: perAu((s) => s.baseRate),
    meanF1: mean(folds.map((s) => s.meanF1)), meanAuc: mean(folds.map((s) => s.meanAuc).filter(Number.isFinite)), meanPresentF1: mean(folds.map((s) => s.meanPresentF1)),
  };
}

/** The real scores and every resample's, of one arm under one condition (one entry per fold evaluated). */
export interface BootstrapResult {
  point: AuStats;
  samples: AuStats[];
  /** Per fold evaluated: the fold and its test subjects (paired comparisons need the same). */
  folds: { fold: number; subjects: readonly string[] }[];
}

/** Options of the bootstrap. */
export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Seed of the subject draws (default 0). */
  seed?: number;
}

/** Bootstraps the per-fold predictions of one arm under one condition over their test subjects. */
export function bootstrapRuns(runs: { fold: number; predictions: TestPredictions }[], o: BootstrapOptions = {}): BootstrapResult {
  if (!runs.length) throw new RangeError("bootstrapRuns: no runs");
  const B = o.resamples ?? 1000;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`bootstrapRuns: resamples must be a whole number >= 1, got ${B}`);
  const rs = runs.map((r) => ({ fold: r.fold, r: new SubjectResampler(r.predictions) }));
  const point = meanStats(rs.map((x) => x.r.stats()));
  const samples: AuStats[] = [];
  for (let b = 0; b < B; b++) samples.push(meanStats(rs.map((x) => x.r.stats(subjectDraw(x.r.numSubjects, seed, x.fold, b)))));
  return { point, samples, folds: rs.map((x) => ({ fold: x.fold, subjects: x.r.subjects })) };
}

/**
 * The `level` percentile interval of `samples` (linear interpolation between order statistics:
 * position (n - 1) q, as R's type 7 and numpy's default); NaN samples are left out.
 */
export function percentileInterval(value: number, samples: ArrayLike<number>, level = 0.95): Interval {
  const xs = Array.from(samples).filter(Number.isFinite).sort((a, b) => a - b);
  if (!xs.length) return { value, lo: NaN, hi: NaN };
  const q = (p: number) => {
    const pos = (xs.length - 1) * p;
    const i = Math.floor(pos);
    return i + 1 < xs.length ? xs[i] + (pos - i) * (xs[i + 1] - xs[i]) : xs[i];
  };
  return { value, lo: q((1 - level) / 2), hi: q(1 - (1 - level) / 2) };
}

/** The interval of a statistic of one bootstrap result. */
export function statInterval(r: BootstrapResult, stat: (s: AuStats) => number, level = 0.95): Interval {
  return percentileInterval(stat(r.point), r.samples.map(stat), level);
}

/** Throws unless the results were bootstrapped on the same folds, subjects and resamples (so resample b pairs with resample b). */
export function checkPaired(...rs: BootstrapResult[]): void {
  const key = (r: BootstrapResult) => JSON.stringify([r.samples.length, r.folds]);
  const first = key(rs[0]);
  for (const r of rs.slice(1)) {
    if (key(r) !== first) throw new Error("paired bootstrap: the results differ in folds, test subjects or resamples; compare arms evaluated on the same test folds");
  }
}

/**
 * The interval of a paired contrast between bootstrap results: `f` combines one statistic of each
 * result (e.g. (a, b) => a - b) on the real frames and on every resample b alike.
 */
export function contrastInterval(rs: BootstrapResult[], stat: (s: AuStats) => number, f: (xs: number[]) => number, level = 0.95): Interval {
  checkPaired(...rs);
  const value = f(rs.map((r) => stat(r.point)));
  const samples = rs[0].samples.map((_, b) => f(rs.map((r) => stat(r.samples[b]))));
  return percentileInterval(value, samples, level);
}

/** The verdict an interval of (claimed better) - (other) gives: holds above 0, fails below 0, else cannot tell. */
export function verdictOf(diff: Interval): Verdict {
  if (diff.lo > 0) return "holds";
  if (diff.hi < 0) return "fails";
  return "cannot tell at this scale";
}
