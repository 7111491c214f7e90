/** An AU dataset split: absolute image paths plus label rows, from a prepared source. */
import { isAbsolute, join } from "node:path";
import type { DatasetName } from "./aus.ts";
import type { Fold } from "./folds.ts";
import { readPreparedSource, type PreparedSplit, type Split } from "./prepared-lists.ts";

/** Read-only view of one fold/split. */
export class AuDataset {
  readonly dataset: DatasetName;
  readonly numAus: number;
  /** [n, numAus] int8: 1 present, 0 absent, -1 masked. */
  readonly labels: Int8Array;
  /** Training-fold class weights [numAus], when the source has them. */
  readonly weights?: Float64Array;
  private readonly paths: string[];

  constructor(split: Pick<PreparedSplit, "dataset" | "imgRoot" | "images" | "labels" | "numAus" | "weights">) {
    if (split.labels.length !== split.images.length * split.numAus) {
      throw new RangeError(`AuDataset: ${split.images.length} images need ${split.images.length * split.numAus} labels, received ${split.labels.length}`);
    }
    this.dataset = split.dataset;
    this.numAus = split.numAus;
    this.labels = split.labels;
    this.weights = split.weights;
    this.paths = split.images.map((p) => (isAbsolute(p) ? p : join(split.imgRoot, p)));
  }

  /**
   * Opens a `prepare` output folder or a reference list folder (see readPreparedSource).
   * @example const train = AuDataset.open("prepared/bp4d", 1, "train");
   */
  static open(dir: string, fold: Fold, split: Split, opts: { dataset?: string; imgRoot?: string } = {}): AuDataset {
    return new AuDataset(readPreparedSource(dir, fold, split, opts));
  }

  /** Number of samples. */
  get length(): number {
    return this.paths.length;
  }

  /** Absolute image path of sample `i`. */
  path(i: number): string {
    return this.paths[i];
  }

  /** Labels of sample `i`: [numAus] int8 view. */
  labelsOf(i: number): Int8Array {
    return this.labels.subarray(i * this.numAus, (i + 1) * this.numAus);
  }
}
