/**
 * Reads DISFA as it ships (spec §2): `ActionUnit_Labels/SN###/SN###_au{N}.txt`, one `frame,intensity`
 * line per frame, no header, frame numbers from 1; left-camera crops in `img/SN###/<i>.png` where the
 * 0-based image i is frame i+1. An AU is present when its intensity (0–5) is >= 2.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DISFA_AUS } from "./aus.ts";
import { partOfSubject, subjectParts } from "./folds.ts";
import type { LabelledFrame, ParsedDataset } from "./frames.ts";
import { IssueLog } from "./issues.ts";
import { framesInFolder, numericCell, readRows, subdirs } from "./text-files.ts";

/** Intensity from which an AU counts as present. */
export const DISFA_PRESENT_FROM = 2;

export interface DisfaOptions {
  /** Fail on the first malformed input instead of skipping and counting it. */
  strict?: boolean;
  /** Called once per subject read, for progress display. */
  onFile?: (done: number, total: number) => void;
}

const IMAGE_EXTS = [".png", ".jpg", ".jpeg"];

/** Reads a DISFA tree under `root` into labelled frames; malformed input is reported per `opts.strict`. */
export function readDisfa(root: string, opts: DisfaOptions = {}): ParsedDataset {
  const issues = new IssueLog(opts.strict ?? false);
  const labelRoot = join(root, "ActionUnit_Labels");
  const imgRoot = join(root, "img");
  if (!existsSync(labelRoot)) throw new Error(`DISFA root ${root}: label folder ${labelRoot} not found (expected ActionUnit_Labels/SN###/SN###_au{N}.txt)`);

  const labelSubjects = subdirs(labelRoot);
  const imageSubjects = subdirs(imgRoot);
  for (const subj of [...new Set([...labelSubjects, ...imageSubjects])].sort()) {
    if (partOfSubject("DISFA", subj) !== undefined) continue;
    const hasLabels = labelSubjects.includes(subj);
    const file = hasLabels ? join(labelRoot, subj) : join(imgRoot, subj);
    const au1 = join(labelRoot, subj, `${subj}_au1.txt`);
    const n = hasLabels ? (existsSync(au1) ? readRows(au1).length : 0) : framesInFolder(file, IMAGE_EXTS).byIndex.size;
    issues.report("unknown-subject", file, undefined, `subject ${subj} is in none of the DISFA parts; skipped`, n);
  }

  const frames: LabelledFrame[] = [];
  const subjectsMissing: string[] = [];
  const present = [...labelSubjects, ...imageSubjects].filter((s) => partOfSubject("DISFA", s) !== undefined);
  const total = new Set(present).size;
  let done = 0;
  for (const part of subjectParts("DISFA")) {
    for (const subj of part) {
      if (!labelSubjects.includes(subj) && !imageSubjects.includes(subj)) {
        subjectsMissing.push(subj);
        continue;
      }
      readSubject(join(labelRoot, subj), imgRoot, subj, frames, issues);
      opts.onFile?.(++done, total);
    }
  }
  return { dataset: "DISFA", imgRoot, frames, uncoded: { frames: 0, mode: "exclude" }, subjectsMissing, issues };
}

interface AuRow {
  intensity: number;
  line: number;
}

function readSubject(labelDir: string, imgRoot: string, subj: string, out: LabelledFrame[], issues: IssueLog): void {
  const images = framesInFolder(join(imgRoot, subj), IMAGE_EXTS);
  for (const other of images.others) issues.report("unrecognised-file", join(imgRoot, subj, other), undefined, "image name is not a frame index; skipped", 1);
  const files = DISFA_AUS.map((au) => join(labelDir, `${subj}_au${au}.txt`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    // Without every AU's file no frame of the subject has a full label row (the reference would write zeros).
    issues.report("missing-label-file", missing[0], undefined, `label file missing${missing.length > 1 ? ` (and ${missing.length - 1} more AU files)` : ""}; subject ${subj} skipped (${images.byIndex.size} images)`, images.byIndex.size);
    return;
  }
  const perAu: Map<number, AuRow>[] = [];
  const broken = new Set<number>(); // frames already reported by a bad row
  for (const file of files) perAu.push(readAuFile(file, issues, broken));

  const allFrames = new Set<number>();
  for (const m of perAu) for (const f of m.keys()) allFrames.add(f);
  const ordered = [...allFrames].filter((f) => !broken.has(f)).sort((a, b) => a - b);
  for (const frame of ordered) {
    const labels = new Int8Array(DISFA_AUS.length);
    let lacking = -1;
    for (let k = 0; k < DISFA_AUS.length; k++) {
      const row = perAu[k].get(frame);
      if (!row) {
        lacking = k;
        break;
      }
      labels[k] = row.intensity >= DISFA_PRESENT_FROM ? 1 : 0;
    }
    const [firstFile, firstRow] = firstHolder(files, perAu, frame);
    if (lacking >= 0) {
      issues.report("incomplete-labels", firstFile, firstRow.line, `frame ${frame} has no line in ${files[lacking]}; frame skipped`, 1);
      continue;
    }
    // Frame numbers start at 1, image names at 0.
    const image = images.byIndex.get(frame - 1);
    if (image === undefined) {
      issues.report("label-without-image", firstFile, firstRow.line, `no image ${frame - 1}.png for frame ${frame} in ${join(imgRoot, subj)}; frame skipped`, 1);
      continue;
    }
    out.push({ subject: subj, image: `${subj}/${image}`, labels });
  }
  for (const [idx, name] of [...images.byIndex].sort((a, b) => a[0] - b[0])) {
    if (!allFrames.has(idx + 1) && !broken.has(idx + 1)) issues.report("image-without-label", join(imgRoot, subj, name), undefined, `image ${idx} (frame ${idx + 1}) has no label line; image skipped`, 1);
  }
}

function firstHolder(files: string[], perAu: Map<number, AuRow>[], frame: number): [string, AuRow] {
  for (let k = 0; k < perAu.length; k++) {
    const row = perAu[k].get(frame);
    if (row) return [files[k], row];
  }
  throw new Error("unreachable: frame without any label row");
}

/** One AU file: frame number -> intensity. Bad rows are reported and their frame added to `broken`. */
function readAuFile(file: string, issues: IssueLog, broken: Set<number>): Map<number, AuRow> {
  const out = new Map<number, AuRow>();
  const rows = readRows(file);
  rows.forEach(({ line, text }, i) => {
    const cells = text.split(",");
    const frame = numericCell(cells[0] ?? "");
    const intensity = numericCell(cells[1] ?? "");
    if (i === 0 && cells.length === 2 && Number.isNaN(frame) && Number.isNaN(intensity)) {
      issues.report("bad-header", file, line, "DISFA label files have no header, found a text line; line skipped", 0);
      return;
    }
    // A bad row's frame is taken from its position when its own number is unreadable (line i is frame i+1).
    const frameOf = Number.isInteger(frame) && frame >= 1 ? frame : i + 1;
    if (cells.length !== 2) {
      issues.report("wrong-column-count", file, line, `expected "frame,intensity", received ${cells.length} cells; frame skipped`, broken.has(frameOf) ? 0 : 1);
      broken.add(frameOf);
    } else if (Number.isNaN(frame) || Number.isNaN(intensity)) {
      issues.report("non-numeric", file, line, `${Number.isNaN(frame) ? "frame" : "intensity"} cell ${JSON.stringify((Number.isNaN(frame) ? cells[0] : cells[1]).trim())} is not a number; frame skipped`, broken.has(frameOf) ? 0 : 1);
      broken.add(frameOf);
    } else if (!Number.isInteger(frame) || frame < 1) {
      issues.report("invalid-value", file, line, `frame number ${frame} is not an integer >= 1; frame skipped`, broken.has(frameOf) ? 0 : 1);
      broken.add(frameOf);
    } else if (!Number.isInteger(intensity) || intensity < 0 || intensity > 5) {
      issues.report("invalid-value", file, line, `intensity ${intensity} is not an integer 0-5; frame skipped`, broken.has(frameOf) ? 0 : 1);
      broken.add(frameOf);
    } else if (out.has(frame)) {
      issues.report("duplicate-frame", file, line, `frame ${frame} appears twice; frame skipped`, broken.has(frame) ? 0 : 1);
      broken.add(frame);
    } else out.set(frame, { intensity, line });
  });
  return out;
}
