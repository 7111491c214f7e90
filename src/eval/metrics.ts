/**
 * Per-AU detection metrics over a whole test fold, as the AUNCE/ME-GraphAU evaluation computes
 * them: F1 of the positive class at a threshold (0.5 by default), accuracy, ROC-AUC; averaged
 * over AUs. Masked labels (< 0) are left out of every metric of that AU.
 */

/** Scores of one AU. */
export interface AuMetrics {
  au: number;
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  /** NaN when the fold has only one class for this AU. */
  auc: number;
  threshold: number;
  positives: number;
  count: number;
}

export interface Metrics {
  perAu: AuMetrics[];
  /** Mean F1 over AUs (the paper's headline number), in [0, 1]. */
  meanF1: number;
  meanAccuracy: number;
  /** Mean over AUs with both classes present. */
  meanAuc: number;
}

/** F1 = 2 TP / (2 TP + FP + FN); 0 when there is no positive prediction and no positive label. */
export function f1Score(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? 0 : (2 * tp) / d;
}

/**
 * ROC-AUC by the rank statistic (Mann-Whitney U), ties counted half: the probability that a
 * random positive scores above a random negative.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (labels[i] >= 0) idx.push(i);
  idx.sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) if (labels[idx[k]] > 0) {
      pos++;
      rankSum += avgRank;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Metrics from probabilities and labels, both [n, numAus] row-major.
 * @param thresholds per-AU thresholds (default 0.5 for all)
 */
export function computeMetrics(probs: ArrayLike<number>, labels: ArrayLike<number>, aus: readonly number[], thresholds?: readonly number[]): Metrics {
  const nAu = aus.length;
  if (probs.length !== labels.length || probs.length % nAu !== 0) {
    throw new RangeError(`computeMetrics: probs (${probs.length}) and labels (${labels.length}) must both be [n, ${nAu}]`);
  }
  const n = probs.length / nAu;
  const perAu: AuMetrics[] = aus.map((au, k) => {
    const th = thresholds?.[k] ?? 0.5;
    let tp = 0, fp = 0, fn = 0, tn = 0;
    const s = new Float64Array(n);
    const l = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const y = labels[i * nAu + k];
      const p = probs[i * nAu + k];
      s[i] = p;
      l[i] = y;
      if (y < 0) continue;
      const pred = p >= th;
      if (pred && y > 0) tp++;
      else if (pred) fp++;
      else if (y > 0) fn++;
      else tn++;
    }
    const count = tp + fp + fn + tn;
    return {
      au, threshold: th, positives: tp + fn, count,
      f1: f1Score(tp, fp, fn),
      precision: tp + fp ? tp / (tp + fp) : 0,
      recall: tp + fn ? tp / (tp + fn) : 0,
      accuracy: count ? (tp + tn) / count : 0,
      auc: rocAuc(s, l),
    };
  });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return {
    perAu,
    meanF1: mean(perAu.map((m) => m.f1)),
    meanAccuracy: mean(perAu.map((m) => m.accuracy)),
    meanAuc: mean(perAu.map((m) => m.auc).filter((x) => !Number.isNaN(x))),
  };
}

/**
 * Per-AU thresholds that maximise F1 on a validation split (searched over the distinct scores
 * and 0.5), for `evaluate --tune-thresholds`.
 */
export function tuneThresholds(probs: ArrayLike<number>, labels: ArrayLike<number>, numAus: number): number[] {
  const n = probs.length / numAus;
  const out: number[] = [];
  for (let k = 0; k < numAus; k++) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) if (labels[i * numAus + k] >= 0) pairs.push([probs[i * numAus + k], labels[i * numAus + k] > 0 ? 1 : 0]);
    pairs.sort((a, b) => b[0] - a[0]);
    const totalPos = pairs.reduce((a, p) => a + p[1], 0);
    let best = 0.5;
    let bestF1 = -1;
    let tp = 0;
    let fp = 0;
    // Threshold at each distinct score: predict positive for all scores >= it.
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i][1]) tp++;
      else fp++;
      if (i + 1 < pairs.length && pairs[i + 1][0] === pairs[i][0]) continue;
      const f = f1Score(tp, fp, totalPos - tp);
      if (f > bestF1) {
        bestF1 = f;
        best = pairs[i][0];
      }
    }
    out.push(best);
  }
  return out;
}
