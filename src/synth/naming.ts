/**
 * Subject and sequence names that match the real datasets, so the spec's fold lists (§1) apply to
 * synthetic data unchanged. Subject i is taken round-robin from part1, part2, part3, so any subject
 * count spreads over all three folds.
 */
import type { DatasetStyle } from "./labels.ts";

/** BP4D subject parts (spec §1). */
export const BP4D_PARTS: readonly (readonly string[])[] = [
  ["F001", "M007", "F018", "F008", "F002", "M004", "F010", "F009", "M012", "M001", "F016", "M014", "F023", "M008"],
  ["M011", "F003", "M010", "M002", "F005", "F022", "M018", "M017", "F013", "M016", "F020", "F011", "M013", "M005"],
  ["F007", "F015", "F006", "F019", "M006", "M009", "F012", "M003", "F004", "F021", "F017", "M015", "F014"],
];
/** DISFA subject parts (spec §1). */
export const DISFA_PARTS: readonly (readonly string[])[] = [
  ["SN002", "SN010", "SN001", "SN026", "SN027", "SN032", "SN030", "SN009", "SN016"],
  ["SN013", "SN018", "SN011", "SN028", "SN012", "SN006", "SN031", "SN021", "SN024"],
  ["SN003", "SN029", "SN023", "SN025", "SN008", "SN005", "SN007", "SN017", "SN004"],
];

/** Largest subject count per style (the real datasets' sizes). */
export function maxSubjects(style: DatasetStyle): number {
  return (style === "bp4d" ? BP4D_PARTS : DISFA_PARTS).reduce((s, p) => s + p.length, 0);
}

/** Names of the first `n` subjects, round-robin over the parts; throws RangeError past the real count. */
export function subjectNames(style: DatasetStyle, n: number): { name: string; part: number }[] {
  const parts = style === "bp4d" ? BP4D_PARTS : DISFA_PARTS;
  const max = maxSubjects(style);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`subjects: expected an integer in 1..${max} for style ${style}, got ${n}`);
  const out: { name: string; part: number }[] = [];
  const next = [0, 0, 0];
  for (let p = 0; out.length < n; p = (p + 1) % 3) {
    if (next[p] < parts[p].length) out.push({ name: parts[p][next[p]++], part: p + 1 });
  }
  return out;
}

/** BP4D has tasks T1..T8 per subject. */
export const BP4D_MAX_TASKS = 8;

/** Sequence (task) name of BP4D-style sequence j (0-based). */
export function taskName(j: number): string {
  return `T${j + 1}`;
}
