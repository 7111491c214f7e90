// The subject bootstrap: weighted F1 / AUC / floor against values worked out by hand, the plain
// (unweighted) figures against computeMetrics, seeded draws, percentile intervals and verdicts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/data/index.ts";
import { bootstrapRuns, checkPaired, contrastInterval, meanStats, percentileInterval, statInterval, subjectDraw, SubjectResampler, verdictOf, type AuStats } from "../../src/eval/bootstrap.ts";
import { computeMetrics } from "../../src/eval/metrics.ts";
import { makePredictions } from "../../src/eval/predictions.ts";

// One AU, three subjects, two frames each (score, label):
//   A: (0.9, 1) (0.2, 0) -> TP, TN     B: (0.8, 0) (0.6, 1) -> FP, TP     C: (0.4, 1) (0.1, 0) -> FN, TN
const hand = makePredictions([1], ["A", "A", "B", "B", "C", "C"], [0.9, 0.2, 0.8, 0.6, 0.4, 0.1], [1, 0, 0, 1, 1, 0]);

describe("subject bootstrap", () => {
  it("all subjects once: F1 2/3, AUC 7/9, always-present F1 2/3, base rate 1/2", () => {
    const s = new SubjectResampler(hand).stats();
    assert.equal(s.f1[0], 2 / 3); // 2 TP, 1 FP, 1 FN: 4 / 6
    assert.equal(s.auc[0], 7 / 9); // 0.9 beats 3 negatives, 0.6 and 0.4 beat 2 each
    assert.equal(s.presentF1[0], 2 / 3); // 2 * 3 / (3 + 6)
    assert.equal(s.baseRate[0], 0.5);
    assert.equal(s.meanF1, 2 / 3);
  });

  it("A drawn twice, B never, C once: F1 0.8, AUC 1, floor 2/3", () => {
    const s = new SubjectResampler(hand).stats([2, 0, 1]);
    assert.equal(s.f1[0], 0.8); // TP 2, FP 0, FN 1: 4 / 5
    assert.equal(s.auc[0], 1); // positives 0.9 (x2), 0.4 above negatives 0.2 (x2), 0.1
    assert.equal(s.presentF1[0], 2 / 3); // P 3 of 6 frames
  });

  it("ties count half, and one class left gives NaN AUC", () => {
    const tie = makePredictions([1], ["A", "B"], [0.5, 0.5], [1, 0]);
    assert.equal(new SubjectResampler(tie).stats().auc[0], 0.5);
    assert.ok(Number.isNaN(new SubjectResampler(tie).stats([1, 0]).auc[0]));
  });

  it("unweighted figures equal computeMetrics on the same frames (masked labels left out)", () => {
    const rng = new Rng(4);
    const aus = [1, 2, 4];
    const n = 60;
    const subjects = Array.from({ length: n }, (_, i) => `S${i % 5}`);
    const probs = Array.from({ length: n * 3 }, () => Math.round(rng.next() * 20) / 20); // ties on purpose
    const labels = Array.from({ length: n * 3 }, () => (rng.next() < 0.1 ? -1 : rng.next() < 0.4 ? 1 : 0));
    const s = new SubjectResampler(makePredictions(aus, subjects, probs, labels)).stats();
    const m = computeMetrics(probs, labels, aus);
    assert.deepEqual(s.f1, m.perAu.map((a) => a.f1));
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(s.auc[k] - m.perAu[k].auc) < 1e-12, `AU ${aus[k]}`);
    assert.ok(Math.abs(s.meanF1 - m.meanF1) < 1e-12);
  });

  it("draws are seeded by (seed, fold, resample), sum to the subject count and differ between resamples", () => {
    const a = subjectDraw(7, 3, 1, 0);
    assert.deepEqual(a, subjectDraw(7, 3, 1, 0));
    assert.equal(a.reduce((x, y) => x + y, 0), 7);
    assert.notDeepEqual(a, subjectDraw(7, 3, 1, 1));
    assert.notDeepEqual(a, subjectDraw(7, 3, 2, 0));
  });

  it("percentile intervals interpolate between order statistics", () => {
    assert.deepEqual(percentileInterval(3, [5, 1, 4, 2, 3], 0.5), { value: 3, lo: 2, hi: 4 });
    const i = percentileInterval(3, [5, 1, 4, 2, 3, NaN]); // 95%: positions 0.1 and 3.9
    assert.ok(Math.abs(i.lo - 1.1) < 1e-12 && Math.abs(i.hi - 4.9) < 1e-12, JSON.stringify(i));
  });

  it("verdicts: above 0 holds, below 0 fails, spanning 0 cannot tell", () => {
    assert.equal(verdictOf({ value: 0.1, lo: 0.01, hi: 0.2 }), "holds");
    assert.equal(verdictOf({ value: -0.1, lo: -0.2, hi: -0.01 }), "fails");
    assert.equal(verdictOf({ value: 0.05, lo: -0.1, hi: 0.1 }), "cannot tell at this scale");
  });

  it("a paired contrast: an arm better on every subject holds; an arm against itself spans exactly 0", () => {
    const subjects = Array.from({ length: 40 }, (_, i) => `S${i % 8}`);
    // Frame j = floor(i / 8) of subject i % 8: present on j = 1, 3; the poor arm misses j = 1 (half of every subject's positives).
    const labels = subjects.map((_, i) => Math.floor(i / 8) % 2);
    const good = makePredictions([1], subjects, labels.map((y) => (y ? 0.9 : 0.1)), labels);
    const poor = makePredictions([1], subjects, labels.map((y, i) => (Math.floor(i / 8) === 1 ? 0.2 : y ? 0.9 : 0.1)), labels);
    const g = bootstrapRuns([{ fold: 1, predictions: good }], { resamples: 200, seed: 1 });
    const p = bootstrapRuns([{ fold: 1, predictions: poor }], { resamples: 200, seed: 1 });
    assert.equal(g.point.meanF1, 1);
    assert.equal(statInterval(g, (s) => s.meanF1).lo, 1);
    const d = contrastInterval([g, p], (s: AuStats) => s.meanF1, ([a, b]) => a - b);
    assert.ok(Math.abs(d.value - (1 - 2 / 3)) < 1e-12, `F1 of the poor arm is 2/3: ${d.value}`);
    assert.equal(verdictOf(d), "holds");
    const same = contrastInterval([g, g], (s) => s.meanF1, ([a, b]) => a - b);
    assert.deepEqual([same.lo, same.hi], [0, 0]);
    assert.equal(verdictOf(same), "cannot tell at this scale");
    const other = bootstrapRuns([{ fold: 2, predictions: good }], { resamples: 200, seed: 1 });
    assert.throws(() => checkPaired(g, other), /same test folds/);
  });

  it("over folds a figure is the mean of the folds' (AUC over the folds where it is defined)", () => {
    const a: AuStats = { f1: [0.2, 0.4], auc: [0.6, NaN], presentF1: [0.5, 0.5], baseRate: [0.3, 0], meanF1: 0.3, meanAuc: 0.6, meanPresentF1: 0.5 };
    const b: AuStats = { f1: [0.4, 0.8], auc: [0.8, 0.7], presentF1: [0.3, 0.7], baseRate: [0.1, 0.2], meanF1: 0.6, meanAuc: 0.75, meanPresentF1: 0.5 };
    const m = meanStats([a, b]);
    assert.ok(Math.abs(m.f1[1] - 0.6) < 1e-12 && Math.abs(m.auc[0] - 0.7) < 1e-12);
    assert.equal(m.auc[1], 0.7);
    assert.ok(Math.abs(m.meanF1 - 0.45) < 1e-12 && Math.abs(m.meanAuc - 0.675) < 1e-12);
  });
});
