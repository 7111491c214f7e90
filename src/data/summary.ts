/** The `prepare` summary: frames per fold, positives per AU per fold, weights, and every skip by reason. */
import { ausOf, type DatasetName } from "./aus.ts";
import { EXPECTED_FRAMES, type Fold } from "./folds.ts";
import { MASKED, type ParsedDataset } from "./frames.ts";
import type { IssueReason } from "./issues.ts";
import type { FoldSplit } from "./prepare.ts";

export interface SplitSummary {
  frames: number;
  /** Per AU (in `aus` order): frames where it is present. */
  positives: number[];
  /** Per AU: frames where it is masked (BP4D `--mask-uncoded` only). */
  masked: number[];
}

export interface PrepareSummary {
  dataset: DatasetName;
  aus: number[];
  totalFrames: number;
  folds: { fold: Fold; train: SplitSummary; test: SplitSummary; weights: number[]; flooredAus: number[]; expected: { train: number; test: number } }[];
  uncoded: { frames: number; mode: "exclude" | "mask" };
  skipped: { total: number; byReason: Partial<Record<IssueReason, { issues: number; frames: number }>> };
  /** The first issues, with file and line. */
  examples: string[];
  subjectsMissing: string[];
}

const MAX_EXAMPLES = 50;

function summariseSplit(s: FoldSplit, numAus: number): SplitSummary {
  const positives = new Array<number>(numAus).fill(0);
  const masked = new Array<number>(numAus).fill(0);
  for (const f of s.frames)
    for (let k = 0; k < numAus; k++) {
      if (f.labels[k] === MASKED) masked[k]++;
      else if (f.labels[k] > 0) positives[k]++;
    }
  return { frames: s.frames.length, positives, masked };
}

/** Builds the JSON summary of a parsed dataset and its fold splits. */
export function buildSummary(parsed: ParsedDataset, splits: FoldSplit[]): PrepareSummary {
  const aus = [...ausOf(parsed.dataset)];
  const byReason: PrepareSummary["skipped"]["byReason"] = {};
  for (const [reason, issues] of parsed.issues.countByReason) byReason[reason] = { issues, frames: parsed.issues.framesByReason.get(reason) ?? 0 };
  const folds = ([1, 2, 3] as Fold[]).map((fold) => {
    const train = splits.find((s) => s.fold === fold && s.split === "train")!;
    const test = splits.find((s) => s.fold === fold && s.split === "test")!;
    return {
      fold,
      train: summariseSplit(train, aus.length),
      test: summariseSplit(test, aus.length),
      weights: train.weights ? Array.from(train.weights) : [],
      flooredAus: (train.flooredAus ?? []).map((k) => aus[k]),
      expected: EXPECTED_FRAMES[parsed.dataset][fold],
    };
  });
  return {
    dataset: parsed.dataset,
    aus,
    totalFrames: parsed.frames.length,
    folds,
    uncoded: parsed.uncoded,
    skipped: { total: parsed.issues.skippedFrames, byReason },
    examples: parsed.issues.issues.slice(0, MAX_EXAMPLES).map((i) => i.message),
    subjectsMissing: parsed.subjectsMissing,
  };
}

/** A readable multi-line rendering of the summary for the terminal. */
export function formatSummary(s: PrepareSummary): string {
  const lines: string[] = [];
  const pad = (v: string | number, w: number) => String(v).padStart(w);
  lines.push(`${s.dataset}: ${s.totalFrames} frames kept`);
  lines.push(`${"".padEnd(12)}${s.aus.map((a) => pad(`AU${a}`, 7)).join("")}`);
  for (const f of s.folds) {
    const note = (n: number, e: number) => (n === e ? "" : ` (full dataset: ${e})`);
    lines.push(`fold ${f.fold}: train ${f.train.frames}${note(f.train.frames, f.expected.train)}, test ${f.test.frames}${note(f.test.frames, f.expected.test)}`);
    lines.push(`  train pos ${f.train.positives.map((p) => pad(p, 7)).join("")}`);
    lines.push(`  test pos  ${f.test.positives.map((p) => pad(p, 7)).join("")}`);
    if (f.weights.length) lines.push(`  weights   ${f.weights.map((w) => pad(w.toFixed(3), 7)).join("")}`);
    if (f.flooredAus.length) lines.push(`  warning: no positive in training fold for ${f.flooredAus.map((a) => `AU${a}`).join(", ")}; weight uses a floor of one positive`);
  }
  if (s.uncoded.frames > 0) lines.push(`code 9 (not coded): ${s.uncoded.frames} frames ${s.uncoded.mode === "exclude" ? "excluded" : "kept with those AUs masked"}`);
  const reasons = Object.entries(s.skipped.byReason);
  if (reasons.length === 0) lines.push("skipped: nothing");
  else {
    lines.push(`skipped: ${s.skipped.total} frames`);
    for (const [r, v] of reasons) lines.push(`  ${r}: ${v!.issues} issue(s), ${v!.frames} frame(s)`);
    lines.push("first issues:");
    for (const e of s.examples.slice(0, 10)) lines.push(`  ${e}`);
  }
  if (s.subjectsMissing.length) lines.push(`subjects not found under the root (${s.subjectsMissing.length}): ${s.subjectsMissing.join(" ")}`);
  return lines.join("\n");
}
