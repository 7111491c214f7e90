/**
 * Symmetric label noise on a prepared folder's TRAINING lists: each labelled (0/1) cell flips with
 * probability r, drawn from a stream keyed by (seed, fold, r), and the class weights are recomputed
 * from the noisy labels, as training would see them. Test lists are copied unchanged (clean), so a
 * score measures what was learnt. Masked cells (-1) stay masked.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { classWeights } from "./class-weights.ts";
import { FOLDS } from "./folds.ts";
import { readPreparedSource, writePreparedSplit } from "./prepared-lists.ts";
import { Rng } from "./rng.ts";

/** Flips each labelled cell of `labels` with probability `rate` (stream keyed by seed, fold, rate); returns a new array. */
export function flipLabels(labels: Int8Array, rate: number, seed: number, fold: number): Int8Array {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`label noise rate must be in [0, 1], got ${rate}`);
  const rng = new Rng(seed, fold, Math.round(rate * 1e6), 0x4e4f4953);
  return Int8Array.from(labels, (v) => (v >= 0 && rng.next() < rate ? 1 - v : v));
}

/**
 * Writes a copy of the prepared folder `clean` to `out` whose training labels carry symmetric
 * noise `rate` (see the module note). Written to a temporary folder and renamed, so an
 * interrupted copy never looks finished.
 */
export function writeNoisyPrepared(clean: string, out: string, rate: number, seed: number): void {
  if (!existsSync(join(clean, "dataset.json"))) throw new Error(`${clean} is not a prepared folder (no dataset.json); run \`aunce prepare\` first`);
  const tmp = `${resolve(out)}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  cpSync(clean, tmp, { recursive: true });
  for (const fold of FOLDS) {
    const s = readPreparedSource(clean, fold, "train");
    const labels = flipLabels(s.labels, rate, seed, fold);
    const rows: number[][] = [];
    for (let i = 0; i < s.images.length; i++) rows.push(Array.from(labels.subarray(i * s.numAus, (i + 1) * s.numAus)));
    const weights = classWeights(rows, s.numAus).weights;
    writePreparedSplit(join(tmp, "list"), { dataset: s.dataset, fold, split: "train", images: s.images, labels, numAus: s.numAus, weights });
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
}
