/**
 * Reads BP4D as it ships (spec §2): `AUCoding/AU_OCC/{SUBJECT}_{TASK}.csv`, a comma-separated header
 * of AU numbers whose first column `0` holds the frame number, values 0/1 and 9 ("not coded"); face
 * crops in `img/<SUBJECT>/<TASK>/<frame>.jpg`. Frames are kept in the reference lists' order: parts,
 * subjects as listed, tasks by number, then rows as in the file.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BP4D_AUS } from "./aus.ts";
import { partOfSubject, subjectParts } from "./folds.ts";
import { MASKED, type LabelledFrame, type ParsedDataset } from "./frames.ts";
import { IssueLog } from "./issues.ts";
import { filesIn, framesInFolder, numericCell, readRows, subdirs } from "./text-files.ts";

/** BP4D's "not coded" value. */
export const BP4D_UNCODED = 9;

export interface Bp4dOptions {
  /** Fail on the first malformed input instead of skipping and counting it. */
  strict?: boolean;
  /** Keep frames with code 9 and mark those AUs MASKED instead of excluding the frame (default false). */
  maskUncoded?: boolean;
  /** Called once per label file read, for progress display. */
  onFile?: (done: number, total: number) => void;
}

const IMAGE_EXTS = [".jpg", ".jpeg", ".png"];
const NAME = /^([FM]\d{3})_(T\d+)\.csv$/i;

/** Reads a BP4D tree under `root` into labelled frames; malformed input is reported per `opts.strict`. */
export function readBp4d(root: string, opts: Bp4dOptions = {}): ParsedDataset {
  const issues = new IssueLog(opts.strict ?? false);
  const labelDir = join(root, "AUCoding", "AU_OCC");
  const imgRoot = join(root, "img");
  if (!existsSync(labelDir)) throw new Error(`BP4D root ${root}: label folder ${labelDir} not found (expected AUCoding/AU_OCC/{SUBJECT}_{TASK}.csv)`);

  // Sequences (subject, task) seen in labels or images.
  const labelFiles = new Map<string, string>();
  for (const name of filesIn(labelDir)) {
    const m = NAME.exec(name);
    if (!m) {
      if (/\.csv$/i.test(name)) issues.report("unrecognised-file", join(labelDir, name), undefined, "label file name is not {SUBJECT}_{TASK}.csv; file skipped", countDataRows(join(labelDir, name)));
      continue;
    }
    labelFiles.set(`${m[1].toUpperCase()}/${m[2].toUpperCase()}`, name);
  }
  const imageDirs = new Map<string, string>();
  for (const subj of subdirs(imgRoot)) for (const task of subdirs(join(imgRoot, subj))) imageDirs.set(`${subj.toUpperCase()}/${task.toUpperCase()}`, `${subj}/${task}`);

  const sequences = [...new Set([...labelFiles.keys(), ...imageDirs.keys()])];
  const bySubject = new Map<string, string[]>();
  for (const seq of sequences) {
    const [subj] = seq.split("/");
    if (!bySubject.has(subj)) bySubject.set(subj, []);
    bySubject.get(subj)!.push(seq);
  }
  const taskNo = (seq: string) => Number(seq.split("/")[1].slice(1));
  for (const list of bySubject.values()) list.sort((a, b) => taskNo(a) - taskNo(b));

  // Unknown subjects first, so the protocol's frames stay in order.
  for (const [subj, seqs] of [...bySubject].sort()) {
    if (partOfSubject("BP4D", subj) !== undefined) continue;
    for (const seq of seqs) {
      const lf = labelFiles.get(seq);
      const file = lf ? join(labelDir, lf) : join(imgRoot, imageDirs.get(seq)!);
      const n = lf ? countDataRows(file) : framesInFolder(file, IMAGE_EXTS).byIndex.size;
      issues.report("unknown-subject", file, undefined, `subject ${subj} is in none of the BP4D parts; skipped`, n);
    }
  }

  const frames: LabelledFrame[] = [];
  const subjectsMissing: string[] = [];
  const uncoded = { frames: 0, mode: (opts.maskUncoded ? "mask" : "exclude") as "mask" | "exclude" };
  const total = labelFiles.size;
  let done = 0;
  for (const part of subjectParts("BP4D")) {
    for (const subj of part) {
      const seqs = bySubject.get(subj);
      if (!seqs) {
        subjectsMissing.push(subj);
        continue;
      }
      for (const seq of seqs) {
        const lf = labelFiles.get(seq);
        const imgRel = imageDirs.get(seq) ?? seq;
        const images = framesInFolder(join(imgRoot, imgRel), IMAGE_EXTS);
        for (const other of images.others) issues.report("unrecognised-file", join(imgRoot, imgRel, other), undefined, "image name is not a frame number; skipped", 1);
        if (!lf) {
          issues.report("missing-label-file", join(labelDir, `${seq.replace("/", "_")}.csv`), undefined, `no label file for the ${images.byIndex.size} images in ${join(imgRoot, imgRel)}; images skipped`, images.byIndex.size);
          continue;
        }
        readSequence(join(labelDir, lf), subj, imgRoot, imgRel, images.byIndex, frames, issues, uncoded, opts.maskUncoded ?? false);
        opts.onFile?.(++done, total);
      }
    }
  }
  return { dataset: "BP4D", imgRoot, frames, uncoded, subjectsMissing, issues };
}

/** Data rows of a label file (lines after the header), for counting what a skipped file removed. */
function countDataRows(file: string): number {
  return Math.max(0, readRows(file).length - 1);
}

function readSequence(
  file: string,
  subject: string,
  imgRoot: string,
  imgRel: string,
  images: Map<number, string>,
  out: LabelledFrame[],
  issues: IssueLog,
  uncoded: { frames: number },
  mask: boolean,
): void {
  const rows = readRows(file);
  if (rows.length === 0) {
    issues.report("bad-header", file, 1, "empty label file (expected a header of AU numbers)", images.size);
    return;
  }
  const header = rows[0].text.split(",").map((c) => c.trim());
  const cols = headerColumns(header);
  if (typeof cols === "string") {
    issues.report("bad-header", file, rows[0].line, `${cols}; file skipped`, rows.length - 1);
    return;
  }
  const seen = new Set<number>();
  // Frames named by any row, kept or not: their images are accounted for by that row's issue.
  const mentioned = new Set<number>();
  for (let r = 1; r < rows.length; r++) {
    const { line, text } = rows[r];
    const cells = text.split(",");
    const firstCell = numericCell(cells[0]);
    if (Number.isInteger(firstCell) && firstCell >= 0) mentioned.add(firstCell);
    if (cells.length !== header.length) {
      issues.report("wrong-column-count", file, line, `expected ${header.length} comma-separated cells, received ${cells.length}; row skipped`, 1);
      continue;
    }
    const frameNo = numericCell(cells[0]);
    if (!Number.isInteger(frameNo) || frameNo < 0) {
      issues.report(Number.isNaN(frameNo) ? "non-numeric" : "invalid-value", file, line, `frame number ${JSON.stringify(cells[0].trim())} is not a non-negative integer; row skipped`, 1);
      continue;
    }
    mentioned.add(frameNo);
    const labels = new Int8Array(BP4D_AUS.length);
    let bad: string | undefined;
    let badReason: "non-numeric" | "invalid-value" = "non-numeric";
    let isUncoded = false;
    for (let k = 0; k < BP4D_AUS.length && !bad; k++) {
      const cell = cells[cols[k]];
      const v = numericCell(cell);
      if (Number.isNaN(v)) bad = `AU${BP4D_AUS[k]} cell ${JSON.stringify(cell.trim())} is not a number`;
      else if (v !== 0 && v !== 1 && v !== BP4D_UNCODED) {
        bad = `AU${BP4D_AUS[k]} value ${v} is not 0, 1 or 9`;
        badReason = "invalid-value";
      } else if (v === BP4D_UNCODED) {
        isUncoded = true;
        labels[k] = MASKED;
      } else labels[k] = v;
    }
    if (bad) {
      issues.report(badReason, file, line, `${bad}; row skipped`, 1);
      continue;
    }
    if (seen.has(frameNo)) {
      issues.report("duplicate-frame", file, line, `frame ${frameNo} appears twice; later row skipped`, 1);
      continue;
    }
    seen.add(frameNo);
    const image = images.get(frameNo);
    if (image === undefined) {
      issues.report("label-without-image", file, line, `no image for frame ${frameNo} in ${imgRel}; row skipped`, 1);
      continue;
    }
    if (isUncoded) {
      // Code 9 is never "present": by default the frame is left out (spec §2), else those AUs are masked.
      uncoded.frames++;
      if (!mask) continue;
    }
    out.push({ subject, image: `${imgRel}/${image}`, labels });
  }
  for (const [idx, name] of [...images].sort((a, b) => a[0] - b[0])) {
    if (!mentioned.has(idx)) issues.report("image-without-label", join(imgRoot, imgRel, name), undefined, `frame ${idx} has no row in ${file}; image skipped`, 1);
  }
}

/** Column index of each evaluated AU in the header, or a description of what is wrong with it. */
function headerColumns(header: string[]): number[] | string {
  if (header[0] !== "0") return `header must start with the frame column "0", found ${JSON.stringify(header[0])}`;
  for (const h of header) if (!/^\d+$/.test(h)) return `header cell ${JSON.stringify(h)} is not an AU number`;
  const cols: number[] = [];
  for (const au of BP4D_AUS) {
    const idx = header.indexOf(String(au));
    if (idx < 1) return `header has no column for AU${au}`;
    if (header.indexOf(String(au), idx + 1) !== -1) return `header has two columns for AU${au}`;
    cols.push(idx);
  }
  return cols;
}
