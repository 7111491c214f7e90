import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeMetrics, f1Score, rocAuc, tuneThresholds } from "../../src/eval/metrics.ts";

describe("metrics", () => {
  it("F1, precision, recall and accuracy match a hand count", () => {
    // AU a: labels 1 1 0 0 1, probs .9 .4 .6 .1 .7 -> TP 2 (0,4), FN 1 (1), FP 1 (2), TN 1 (3)
    // AU b: one masked label (-1) left out: labels 0 1 -1 0 0, probs .2 .8 .9 .7 .1 -> TP 1, FP 1, TN 2
    const probs = [0.9, 0.2, 0.4, 0.8, 0.6, 0.9, 0.1, 0.7, 0.7, 0.1];
    const labels = [1, 0, 1, 1, 0, -1, 0, 0, 1, 0];
    const m = computeMetrics(probs, labels, [1, 2]);
    const [a, b] = m.perAu;
    assert.equal(a.f1, (2 * 2) / (2 * 2 + 1 + 1));
    assert.equal(a.precision, 2 / 3);
    assert.equal(a.recall, 2 / 3);
    assert.equal(a.accuracy, 3 / 5);
    assert.equal(b.count, 4);
    assert.equal(b.f1, 2 / 3);
    assert.equal(b.accuracy, 3 / 4);
    assert.equal(m.meanF1, (a.f1 + b.f1) / 2);
  });

  it("F1 is 0 without positives on either side, and thresholds are honoured", () => {
    assert.equal(f1Score(0, 0, 0), 0);
    const m = computeMetrics([0.3, 0.6], [1, 0], [12], [0.25]);
    assert.equal(m.perAu[0].f1, 2 / 3); // both predicted present at 0.25: TP 1, FP 1
  });

  it("ROC-AUC is the pairwise ranking probability with ties counted half", () => {
    assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5);
    assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [1, 1])));
    assert.equal(rocAuc([0.9, 0.1, 0.5], [1, 0, -1]), 1);
  });

  it("tuned thresholds maximise validation F1", () => {
    const probs = [0.3, 0.35, 0.2, 0.1, 0.32];
    const labels = [1, 1, 0, 0, 1];
    const [th] = tuneThresholds(probs, labels, 1);
    assert.equal(th, 0.3);
    assert.equal(computeMetrics(probs, labels, [1], [th]).perAu[0].f1, 1);
  });

  it("rejects mismatched sizes", () => {
    assert.throws(() => computeMetrics([0.1, 0.2, 0.3], [1, 0], [1]), /must both be \[n, 1\]/);
  });
});
