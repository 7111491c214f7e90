/**
 * The reference repositories' prepared list format (ME-GraphAU `tool/*_process.py`), which `prepare`
 * writes and training reads, so lists made by the reference tools work unchanged:
 *   `{DS}_{train|test}_img_path_fold{k}.txt`  one image path per line, relative to the image root
 *   `{DS}_{train|test}_label_fold{k}.txt`     space-separated 0/1 per AU, same order
 *   `{DS}_train_weight_fold{k}.txt`           the N class weights, tab-separated on one line ("%f")
 * The reference layout is `data/{DS}/list/` next to `data/{DS}/img/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ausOf, parseDatasetName, type DatasetName } from "./aus.ts";
import { MASKED } from "./frames.ts";
import type { Fold } from "./folds.ts";
import { DataFormatError } from "./issues.ts";

export type Split = "train" | "test";

/** File names of one fold/split in the reference format. */
export function listFileNames(dataset: DatasetName, split: Split, fold: Fold): { images: string; labels: string; weights: string } {
  return {
    images: `${dataset}_${split}_img_path_fold${fold}.txt`,
    labels: `${dataset}_${split}_label_fold${fold}.txt`,
    weights: `${dataset}_train_weight_fold${fold}.txt`,
  };
}

/** One split of one fold, ready for a Dataset. */
export interface PreparedSplit {
  dataset: DatasetName;
  fold: Fold;
  split: Split;
  /** Absolute folder the image paths are relative to. */
  imgRoot: string;
  /** [n] image paths relative to `imgRoot`. */
  images: string[];
  /** [n, numAus] int8 row-major: 1 present, 0 absent, MASKED (-1) not coded. */
  labels: Int8Array;
  numAus: number;
  /** [numAus] training-fold class weights, when the weight file exists. */
  weights?: Float64Array;
}

/** Writes one fold/split's image list and label rows (and, for train, `weights`) into `listDir`. */
export function writePreparedSplit(listDir: string, s: Omit<PreparedSplit, "imgRoot">): void {
  mkdirSync(listDir, { recursive: true });
  const names = listFileNames(s.dataset, s.split, s.fold);
  writeFileSync(join(listDir, names.images), s.images.map((p) => p + "\n").join(""));
  const rows: string[] = [];
  for (let i = 0; i < s.images.length; i++) rows.push(Array.from(s.labels.subarray(i * s.numAus, (i + 1) * s.numAus)).join(" ") + "\n");
  writeFileSync(join(listDir, names.labels), rows.join(""));
  if (s.split === "train" && s.weights) writeFileSync(join(listDir, names.weights), Array.from(s.weights, (w) => w.toFixed(6)).join("\t") + "\n");
}

/**
 * Reads one fold/split from a list folder. Label value 9 (lists made by the reference BP4D tool keep
 * BP4D's "not coded") and -1 read as MASKED. Throws a DataFormatError naming file and line on bad input.
 */
export function readPreparedSplit(opts: { listDir: string; dataset: DatasetName; fold: Fold; split: Split; imgRoot?: string }): PreparedSplit {
  const { listDir, dataset, fold, split } = opts;
  const names = listFileNames(dataset, split, fold);
  const numAus = ausOf(dataset).length;
  const imgFile = join(listDir, names.images);
  const labelFile = join(listDir, names.labels);
  for (const f of [imgFile, labelFile]) if (!existsSync(f)) throw new DataFormatError(`${f}: prepared list not found`, f);
  const images = nonBlankLines(imgFile).map((l) => l.text);
  const labelLines = nonBlankLines(labelFile);
  if (labelLines.length !== images.length) {
    throw new DataFormatError(`${labelFile}: ${labelLines.length} label rows but ${images.length} image paths in ${imgFile}`, labelFile);
  }
  const labels = new Int8Array(images.length * numAus);
  labelLines.forEach(({ line, text }, i) => {
    const cells = text.split(/\s+/);
    if (cells.length !== numAus) throw new DataFormatError(`${labelFile}:${line}: expected ${numAus} labels for ${dataset}, received ${cells.length}`, labelFile, line);
    cells.forEach((c, k) => {
      const v = Number(c);
      if (v === 0 || v === 1) labels[i * numAus + k] = v;
      else if (v === 9 || v === -1) labels[i * numAus + k] = MASKED;
      else throw new DataFormatError(`${labelFile}:${line}: label ${JSON.stringify(c)} is not 0, 1, 9 or -1`, labelFile, line);
    });
  });
  const weightFile = join(listDir, names.weights);
  let weights: Float64Array | undefined;
  if (existsSync(weightFile)) {
    const vals = readFileSync(weightFile, "utf8").trim().split(/\s+/).map(Number);
    if (vals.length !== numAus || vals.some((v) => !Number.isFinite(v) || v <= 0)) {
      throw new DataFormatError(`${weightFile}: expected ${numAus} positive class weights, received ${JSON.stringify(vals.slice(0, numAus + 1))}`, weightFile);
    }
    weights = Float64Array.from(vals);
  }
  const imgRoot = resolve(opts.imgRoot ?? join(dirname(resolve(listDir)), "img"));
  return { dataset, fold, split, imgRoot, images, labels, numAus, weights };
}

/** Metadata `prepare` writes next to its lists so a prepared folder is self-describing. */
export interface PreparedMeta {
  dataset: DatasetName;
  imgRoot: string;
  aus: number[];
}

/**
 * Opens a prepared source: a `prepare` output folder (with `dataset.json` and `list/`), or a reference
 * list folder (then `dataset` is needed, or read from the file names, and `imgRoot` defaults to `../img`).
 */
export function readPreparedSource(dir: string, fold: Fold, split: Split, opts: { dataset?: string; imgRoot?: string } = {}): PreparedSplit {
  const metaFile = join(dir, "dataset.json");
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as PreparedMeta;
    return readPreparedSplit({ listDir: join(dir, "list"), dataset: parseDatasetName(meta.dataset), fold, split, imgRoot: opts.imgRoot ?? meta.imgRoot });
  }
  let dataset = opts.dataset ? parseDatasetName(opts.dataset) : undefined;
  if (!dataset) {
    dataset = (["BP4D", "DISFA"] as const).find((d) => existsSync(join(dir, listFileNames(d, split, fold).images)));
    if (!dataset) throw new DataFormatError(`${dir}: neither dataset.json nor {BP4D,DISFA}_${split}_img_path_fold${fold}.txt found`, dir);
  }
  return readPreparedSplit({ listDir: dir, dataset, fold, split, imgRoot: opts.imgRoot });
}

function nonBlankLines(file: string): { line: number; text: string }[] {
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((text, i) => ({ line: i + 1, text: text.trim() }))
    .filter((l) => l.text !== "");
}
