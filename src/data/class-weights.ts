/**
 * Per-AU class weights from a training fold (spec §2): w_k = (1/r_k) / sum_j(1/r_j) * N, where r_k is
 * AU k's occurrence rate, so the weights sum to N (the number of AUs). Rare AUs weigh more.
 */
import { MASKED } from "./frames.ts";

export interface ClassWeights {
  /** [N] float64, sums to N. */
  weights: Float64Array;
  /** [N] occurrence rate r_k over the frames where AU k is coded. */
  rates: Float64Array;
  /** AU columns that had no positive: their rate was floored (see `classWeights`). */
  floored: number[];
}

/**
 * Class weights of label rows (`rows[i][k]` in {0, 1, MASKED}); masked entries are left out of AU k's
 * rate. An AU with no positive would get an infinite weight: its rate is floored at one positive
 * (1 / coded count) and it is listed in `floored`, so tiny or synthetic folds still train.
 */
export function classWeights(rows: ArrayLike<ArrayLike<number>>, numAus: number): ClassWeights {
  const pos = new Float64Array(numAus);
  const coded = new Float64Array(numAus);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    for (let k = 0; k < numAus; k++) {
      const v = row[k];
      if (v === MASKED) continue;
      coded[k]++;
      if (v > 0) pos[k]++;
    }
  }
  const rates = new Float64Array(numAus);
  const floored: number[] = [];
  let invSum = 0;
  for (let k = 0; k < numAus; k++) {
    if (coded[k] === 0) throw new RangeError(`classWeights: AU column ${k} has no coded frame (received ${rows.length} rows)`);
    rates[k] = pos[k] / coded[k];
    if (pos[k] === 0) {
      floored.push(k);
      rates[k] = 1 / coded[k];
    }
    invSum += 1 / rates[k];
  }
  const weights = new Float64Array(numAus);
  for (let k = 0; k < numAus; k++) weights[k] = (1 / rates[k] / invSum) * numAus;
  if (floored.length > 0) {
    // Report the true rate (0) while the weight uses the floor.
    for (const k of floored) rates[k] = 0;
  }
  return { weights, rates, floored };
}
