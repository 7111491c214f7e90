/**
 * The Action Units each dataset is evaluated on (spec §1), in label-column order. The order is the
 * reference lists' column order, so prepared label rows and model outputs line up.
 */
export type DatasetName = "BP4D" | "DISFA";

/** BP4D's 12 AUs, in the column order of the prepared label rows. */
export const BP4D_AUS: readonly number[] = Object.freeze([1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]);

/** DISFA's 8 AUs, in the column order of the prepared label rows. */
export const DISFA_AUS: readonly number[] = Object.freeze([1, 2, 4, 6, 9, 12, 25, 26]);

/** FACS names of the AUs BP4D and DISFA annotate (Ekman & Friesen's Manual), by AU number. */
export const AU_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: "inner brow raiser", 2: "outer brow raiser", 4: "brow lowerer", 6: "cheek raiser", 7: "lid tightener",
  9: "nose wrinkler", 10: "upper lip raiser", 12: "lip corner puller", 14: "dimpler", 15: "lip corner depressor",
  17: "chin raiser", 23: "lip tightener", 24: "lip pressor", 25: "lips part", 26: "jaw drop",
});

/** "AU12 lip corner puller" (the code alone for an AU outside the table). */
export function auLabel(au: number): string {
  const code = `AU${String(au).padStart(2, "0")}`;
  return AU_NAMES[au] ? `${code} ${AU_NAMES[au]}` : code;
}

/** The AU numbers of `dataset`, in label-column order. */
export function ausOf(dataset: DatasetName): readonly number[] {
  return dataset === "BP4D" ? BP4D_AUS : DISFA_AUS;
}

/** Parses a user-facing dataset name ("bp4d", "DISFA", ...); throws a RangeError naming the input. */
export function parseDatasetName(name: string): DatasetName {
  const up = name.trim().toUpperCase();
  if (up === "BP4D" || up === "DISFA") return up;
  throw new RangeError(`dataset: expected "bp4d" or "disfa", received ${JSON.stringify(name)}`);
}
