import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classWeights } from "../../src/data/class-weights.ts";
import { MASKED } from "../../src/data/frames.ts";

describe("class weights (spec §2)", () => {
  it("w_k = (1/r_k) / sum_j(1/r_j) * N, summing to N", () => {
    // Rates: AU0 2/4, AU1 1/4, AU2 4/4.
    const rows = [
      [1, 1, 1],
      [1, 0, 1],
      [0, 0, 1],
      [0, 0, 1],
    ];
    const { weights, rates } = classWeights(rows, 3);
    assert.deepEqual(Array.from(rates), [0.5, 0.25, 1]);
    const inv = [2, 4, 1];
    const sum = inv.reduce((a, b) => a + b);
    inv.forEach((v, k) => assert.ok(Math.abs(weights[k] - (v / sum) * 3) < 1e-12));
    assert.ok(Math.abs(weights.reduce((a, b) => a + b) - 3) < 1e-12);
    assert.ok(weights[1] > weights[0] && weights[0] > weights[2], "rarer AUs weigh more");
  });

  it("leaves masked entries out of an AU's rate", () => {
    const { rates } = classWeights([[1, 1], [MASKED, 0], [0, 0], [MASKED, 1]], 2);
    assert.equal(rates[0], 0.5);
    assert.equal(rates[1], 0.5);
  });

  it("floors an AU without positives at one positive and reports it", () => {
    const { weights, rates, floored } = classWeights([[1, 0], [0, 0], [1, 0], [0, 0]], 2);
    assert.deepEqual(floored, [1]);
    assert.equal(rates[1], 0);
    assert.ok(Number.isFinite(weights[1]) && weights[1] > weights[0]);
    assert.ok(Math.abs(weights[0] + weights[1] - 2) < 1e-12);
  });
});
