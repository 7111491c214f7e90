/** Shared shapes of parsed datasets: one labelled frame per image, in protocol order. */
import type { DatasetName } from "./aus.ts";
import type { IssueLog } from "./issues.ts";

/** Label value of an AU that was not coded and is kept only with `--mask-uncoded`. */
export const MASKED = -1;

/** One labelled face crop. */
export interface LabelledFrame {
  subject: string;
  /** Image path relative to the image root, '/'-separated (the reference lists' form, e.g. `F001/T1/2440.jpg`). */
  image: string;
  /** One entry per AU in `ausOf(dataset)` order: 1 present, 0 absent, MASKED (-1) not coded. */
  labels: Int8Array;
}

/** The result of reading a raw dataset tree. */
export interface ParsedDataset {
  dataset: DatasetName;
  /** Folder the `image` paths are relative to. */
  imgRoot: string;
  /** Every kept frame, subjects in part order, then task/frame order (the reference lists' order). */
  frames: LabelledFrame[];
  /** Frames carrying BP4D code 9 in one of the evaluated AUs: excluded, or kept with masks. */
  uncoded: { frames: number; mode: "exclude" | "mask" };
  /** Protocol subjects with neither labels nor images under the root. */
  subjectsMissing: string[];
  issues: IssueLog;
}
