/**
 * Learning-rate schedule of the reference (spec §5): constant, then x0.1 for the last
 * `decayLastEpochs` epochs. A pure function of the epoch, so a resumed run gets the same lr.
 */
export function learningRate(baseLr: number, epoch: number, epochs: number, decayLastEpochs = 1): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= epochs) throw new RangeError(`learningRate: epoch ${epoch} outside 0..${epochs - 1}`);
  return epoch >= epochs - decayLastEpochs ? baseLr * 0.1 : baseLr;
}
