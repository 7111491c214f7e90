/**
 * A test fold's per-frame predictions as a file (`predictions.json`): what the bootstrap over test
 * subjects resamples. Frames keep the dataset's order; each names its subject by index.
 */
import { readFileSync, writeFileSync } from "node:fs";

/** Per-frame test predictions of one run. */
export interface TestPredictions {
  aus: number[];
  /** Distinct subject names; `subject[i]` indexes this list. */
  subjects: string[];
  /** [n] subject index of each frame. */
  subject: number[];
  /** [n, N] row-major P(present) (or score in [0, 1]). */
  probs: number[];
  /** [n, N] row-major labels: 1, 0, -1 (masked). */
  labels: number[];
  /** [N] the thresholds the F1 uses. */
  thresholds: number[];
}

/** Builds a TestPredictions from arrays and the per-frame subject names, checking their shapes. */
export function makePredictions(aus: readonly number[], frameSubjects: readonly string[], probs: ArrayLike<number>, labels: ArrayLike<number>, thresholds?: readonly number[]): TestPredictions {
  const n = frameSubjects.length;
  const N = aus.length;
  if (probs.length !== n * N || labels.length !== n * N) throw new RangeError(`predictions: ${n} frames x ${N} AUs need ${n * N} values, got ${probs.length} probabilities and ${labels.length} labels`);
  const subjects = [...new Set(frameSubjects)].sort();
  const index = new Map(subjects.map((s, i) => [s, i]));
  // 6 significant digits: the file stays small and the ranking of distinct scores is kept.
  return {
    aus: [...aus], subjects, subject: frameSubjects.map((s) => index.get(s)!),
    probs: Array.from(probs, (p) => Number(p.toPrecision(6))), labels: Array.from(labels),
    thresholds: thresholds ? [...thresholds] : aus.map(() => 0.5),
  };
}

/** Writes predictions.json. */
export function writePredictions(path: string, p: TestPredictions): void {
  writeFileSync(path, JSON.stringify(p) + "\n");
}

/** Reads and checks a predictions.json, naming the file on a mistake. */
export function readPredictions(path: string): TestPredictions {
  let p: TestPredictions;
  try {
    p = JSON.parse(readFileSync(path, "utf8")) as TestPredictions;
  } catch (err) {
    throw new Error(`cannot read predictions ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const N = p.aus?.length ?? 0;
  const n = p.subject?.length ?? -1;
  if (!N || n < 0 || p.probs?.length !== n * N || p.labels?.length !== n * N || p.thresholds?.length !== N || !Array.isArray(p.subjects)) {
    throw new Error(`${path}: not a predictions file (aus, subjects, subject, probs, labels, thresholds of matching sizes)`);
  }
  return p;
}
