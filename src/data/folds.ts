/**
 * Subject-exclusive 3-fold protocol (spec §1): three subject parts per dataset; fold k tests one part
 * and trains on the other two. Fold 1 tests part 3, fold 2 tests part 2, fold 3 tests part 1 — the
 * mapping the reference list tools use (their README's "Fold1/2/3" headings name the parts).
 */
import type { DatasetName } from "./aus.ts";

/** A fold number of the 3-fold protocol. */
export type Fold = 1 | 2 | 3;
export const FOLDS: readonly Fold[] = [1, 2, 3];

const BP4D_PARTS: readonly (readonly string[])[] = [
  ["F001", "M007", "F018", "F008", "F002", "M004", "F010", "F009", "M012", "M001", "F016", "M014", "F023", "M008"],
  ["M011", "F003", "M010", "M002", "F005", "F022", "M018", "M017", "F013", "M016", "F020", "F011", "M013", "M005"],
  ["F007", "F015", "F006", "F019", "M006", "M009", "F012", "M003", "F004", "F021", "F017", "M015", "F014"],
];
const DISFA_PARTS: readonly (readonly string[])[] = [
  ["SN002", "SN010", "SN001", "SN026", "SN027", "SN032", "SN030", "SN009", "SN016"],
  ["SN013", "SN018", "SN011", "SN028", "SN012", "SN006", "SN031", "SN021", "SN024"],
  ["SN003", "SN029", "SN023", "SN025", "SN008", "SN005", "SN007", "SN017", "SN004"],
];

/** The three subject parts of `dataset` (index 0 = part 1), subjects in the reference's order. */
export function subjectParts(dataset: DatasetName): readonly (readonly string[])[] {
  return dataset === "BP4D" ? BP4D_PARTS : DISFA_PARTS;
}

/** The part (1..3) that `subject` belongs to, or undefined for a subject outside the protocol. */
export function partOfSubject(dataset: DatasetName, subject: string): 1 | 2 | 3 | undefined {
  const parts = subjectParts(dataset);
  for (let p = 0; p < 3; p++) if (parts[p].includes(subject)) return (p + 1) as 1 | 2 | 3;
  return undefined;
}

/** Which parts fold `fold` tests on and trains on (train parts in ascending order, as the reference). */
export function foldParts(fold: Fold): { test: 1 | 2 | 3; train: [1 | 2 | 3, 1 | 2 | 3] } {
  if (fold === 1) return { test: 3, train: [1, 2] };
  if (fold === 2) return { test: 2, train: [1, 3] };
  if (fold === 3) return { test: 1, train: [2, 3] };
  throw new RangeError(`fold: expected 1, 2 or 3, received ${String(fold)}`);
}

/** Parses a fold number from user input; throws a RangeError naming the input. */
export function parseFold(value: string | number): Fold {
  const n = Number(value);
  if (n === 1 || n === 2 || n === 3) return n;
  throw new RangeError(`fold: expected 1, 2 or 3, received ${JSON.stringify(value)}`);
}

/** Expected train/test frame counts on the complete datasets (spec §1), for the summary's check. */
export const EXPECTED_FRAMES: Record<DatasetName, Record<Fold, { train: number; test: number }>> = {
  BP4D: { 1: { train: 100813, test: 46034 }, 2: { train: 96665, test: 50182 }, 3: { train: 96216, test: 50631 } },
  DISFA: { 1: { train: 87209, test: 43605 }, 2: { train: 87209, test: 43605 }, 3: { train: 87210, test: 43604 } },
};
