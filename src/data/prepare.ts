/**
 * `prepare`: a parsed raw dataset -> per-fold train/test lists in the reference format, class weights
 * from each training fold, `dataset.json` and `summary.json`. No tensors involved.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ausOf } from "./aus.ts";
import { classWeights } from "./class-weights.ts";
import { FOLDS, foldParts, partOfSubject, type Fold } from "./folds.ts";
import type { LabelledFrame, ParsedDataset } from "./frames.ts";
import { writePreparedSplit, type PreparedMeta, type Split } from "./prepared-lists.ts";
import { buildSummary, type PrepareSummary } from "./summary.ts";

/** One fold/split of a parsed dataset. */
export interface FoldSplit {
  fold: Fold;
  split: Split;
  frames: LabelledFrame[];
  /** [numAus] for train splits. */
  weights?: Float64Array;
  /** AU columns whose training rate had no positive and was floored. */
  flooredAus?: number[];
}

/** Splits parsed frames into the 3 folds' train/test sets (train = the two other parts, in part order). */
export function splitFolds(parsed: ParsedDataset): FoldSplit[] {
  const byPart: LabelledFrame[][] = [[], [], []];
  for (const f of parsed.frames) {
    const p = partOfSubject(parsed.dataset, f.subject);
    if (p === undefined) throw new Error(`splitFolds: subject ${f.subject} is not in the ${parsed.dataset} protocol`);
    byPart[p - 1].push(f);
  }
  const numAus = ausOf(parsed.dataset).length;
  const out: FoldSplit[] = [];
  for (const fold of FOLDS) {
    const { test, train } = foldParts(fold);
    const trainFrames = [...byPart[train[0] - 1], ...byPart[train[1] - 1]];
    const split: FoldSplit = { fold, split: "train", frames: trainFrames };
    if (trainFrames.length > 0) {
      const cw = classWeights(trainFrames.map((f) => f.labels), numAus);
      split.weights = cw.weights;
      split.flooredAus = cw.floored;
    }
    out.push(split, { fold, split: "test", frames: byPart[test - 1] });
  }
  return out;
}

/** Why a parsed dataset with no frames is empty, for the error: what was skipped, or that nothing was found. */
function emptyReason(parsed: ParsedDataset): string {
  const skipped = [...parsed.issues.framesByReason].filter(([, n]) => n > 0).map(([reason, n]) => `${n} skipped as ${reason}`);
  if (parsed.uncoded.mode === "exclude" && parsed.uncoded.frames > 0) skipped.push(`${parsed.uncoded.frames} excluded as not coded`);
  if (skipped.length) return `every frame was left out (${skipped.join(", ")})`;
  const first = parsed.issues.issues[0]?.message;
  return `no label rows were found${first ? ` (first problem: ${first})` : ""}`;
}

/**
 * Writes lists, weights, `dataset.json` and `summary.json` under `outDir`; returns the summary.
 * Throws, writing nothing, when no frame is left to write.
 */
export function writePrepared(parsed: ParsedDataset, outDir: string): PrepareSummary {
  if (parsed.frames.length === 0) {
    throw new Error(`${parsed.dataset}: no labelled frames to write: ${emptyReason(parsed)}; check that --root holds the dataset's label files and images`);
  }
  const numAus = ausOf(parsed.dataset).length;
  const splits = splitFolds(parsed);
  const listDir = join(outDir, "list");
  mkdirSync(listDir, { recursive: true });
  for (const s of splits) {
    const labels = new Int8Array(s.frames.length * numAus);
    s.frames.forEach((f, i) => labels.set(f.labels, i * numAus));
    writePreparedSplit(listDir, { dataset: parsed.dataset, fold: s.fold, split: s.split, images: s.frames.map((f) => f.image), labels, numAus, weights: s.weights });
  }
  const meta: PreparedMeta = { dataset: parsed.dataset, imgRoot: resolve(parsed.imgRoot), aus: [...ausOf(parsed.dataset)] };
  writeFileSync(join(outDir, "dataset.json"), JSON.stringify(meta, null, 2) + "\n");
  const summary = buildSummary(parsed, splits);
  writeFileSync(join(outDir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  return summary;
}
