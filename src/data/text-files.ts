/** Small helpers for reading the raw label files and image folders. */
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { extname } from "node:path";
import { DataFormatError } from "./issues.ts";

/**
 * Largest label file read, in bytes. BP4D's biggest AU_OCC csv is under 1 MB and a DISFA AU file
 * under 100 KB; a label file of many MB is a wrong path (a video, an archive), refused before reading.
 */
export const MAX_LABEL_FILE_BYTES = 64 << 20;

/**
 * Lines of a text file (CR/LF tolerant) with their 1-based numbers; blank lines are not rows.
 * Throws a DataFormatError for a file over MAX_LABEL_FILE_BYTES.
 */
export function readRows(file: string): { line: number; text: string }[] {
  const size = statSync(file).size;
  if (size > MAX_LABEL_FILE_BYTES) throw new DataFormatError(`${file}: label file is ${size} bytes, over the ${MAX_LABEL_FILE_BYTES}-byte limit (not a label file?)`, file);
  const lines = readFileSync(file, "utf8").split(/\r?\n/);
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].replace(/^\uFEFF/, "").trim();
    if (text !== "") out.push({ line: i + 1, text });
  }
  return out;
}

/** Parses a cell holding a number ("1", "0.0", " 9 "); NaN when it is not one. */
export function numericCell(cell: string): number {
  const t = cell.trim();
  return /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/** Entries of `dir`; [] when it does not exist. */
function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Sub-folders of `dir` (sorted by name); [] when `dir` does not exist. */
export function subdirs(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Files directly in `dir` (sorted); [] when `dir` does not exist. */
export function filesIn(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/**
 * Images in `dir` named by an integer frame index (`12.jpg`, `0012.jpg`), keyed by that index.
 * `others` gets image files whose name is not an integer; non-image files are not data and are ignored.
 */
export function framesInFolder(dir: string, exts: readonly string[]): { byIndex: Map<number, string>; others: string[] } {
  const byIndex = new Map<number, string>();
  const others: string[] = [];
  for (const name of filesIn(dir)) {
    const ext = extname(name).toLowerCase();
    if (!exts.includes(ext)) continue;
    const stem = name.slice(0, -ext.length);
    if (/^\d+$/.test(stem)) byIndex.set(Number(stem), name);
    else others.push(name);
  }
  return { byIndex, others };
}
