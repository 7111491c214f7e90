/**
 * Test helper: writes tiny BP4D / DISFA trees in their raw shipped formats (label files exactly as
 * spec §2 describes, tiny face crops written with sharp) into a temp folder.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { makeTempDir } from "../../helpers/tmp.ts";

/** A fresh temp folder (helpers/tmp.ts owns it: removed after the file's tests). */
export function tempDir(prefix = "aunce-data-"): string {
  return makeTempDir(prefix);
}

const tiny = new Map<string, Buffer>();
/** A tiny (8x8) encoded image; `ext` "jpg" or "png". */
export async function tinyImage(ext: "jpg" | "png"): Promise<Buffer> {
  if (!tiny.has(ext)) {
    const img = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 120, g: 80, b: 60 } } });
    tiny.set(ext, await (ext === "jpg" ? img.jpeg() : img.png()).toBuffer());
  }
  return tiny.get(ext)!;
}

/** The BP4D AU_OCC header as shipped: frame column "0" then AU numbers 1..27 (most never coded). */
export const BP4D_HEADER_AUS = Array.from({ length: 27 }, (_, i) => i + 1);

/** One BP4D CSV row: frame number, evaluated AUs from `aus` (others 9, as in the real files). */
export function bp4dRow(frame: number, aus: Record<number, number | string> = {}): string {
  return [String(frame), ...BP4D_HEADER_AUS.map((a) => String(aus[a] ?? ([1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24].includes(a) ? 0 : 9)))].join(",");
}

export interface Bp4dSeq {
  subject: string;
  task: string;
  /** Raw CSV lines after the header; omit the CSV entirely with `noLabels`. */
  rows: string[];
  header?: string;
  /** Frame numbers that get an image (default: the frames of `rows`). */
  images?: number[];
  noLabels?: boolean;
}

/** Writes a BP4D tree; returns its root. */
export async function writeBp4dTree(root: string, seqs: Bp4dSeq[]): Promise<string> {
  const labelDir = join(root, "AUCoding", "AU_OCC");
  mkdirSync(labelDir, { recursive: true });
  const jpg = await tinyImage("jpg");
  for (const s of seqs) {
    if (!s.noLabels) writeFileSync(join(labelDir, `${s.subject}_${s.task}.csv`), [s.header ?? ["0", ...BP4D_HEADER_AUS].join(","), ...s.rows].join("\n") + "\n");
    const frames = s.images ?? s.rows.map((r) => Number(r.split(",")[0]));
    const dir = join(root, "img", s.subject, s.task);
    mkdirSync(dir, { recursive: true });
    for (const f of frames) writeFileSync(join(dir, `${f}.jpg`), jpg);
  }
  return root;
}

export interface DisfaSubject {
  subject: string;
  /** Per AU number: raw lines of `SN###_au{N}.txt` (default: `frames` lines of intensity 0). */
  files?: Record<number, string[] | null>;
  /** Number of frames (lines 1..n) for AUs without explicit lines. */
  frames: number;
  /** 0-based image indices written (default 0..frames-1). */
  images?: number[];
}

const DISFA_AUS = [1, 2, 4, 6, 9, 12, 25, 26];

/** Lines `frame,intensity` for frames 1..n with intensities from `f(frame)`. */
export function disfaLines(n: number, f: (frame: number) => number = () => 0): string[] {
  return Array.from({ length: n }, (_, i) => `${i + 1},${f(i + 1)}`);
}

/** Writes a DISFA tree; a `files[au]` of null leaves that AU's file out. Returns the root. */
export async function writeDisfaTree(root: string, subjects: DisfaSubject[]): Promise<string> {
  const png = await tinyImage("png");
  for (const s of subjects) {
    const labelDir = join(root, "ActionUnit_Labels", s.subject);
    mkdirSync(labelDir, { recursive: true });
    for (const au of DISFA_AUS) {
      const lines = s.files?.[au] === undefined ? disfaLines(s.frames) : s.files[au];
      if (lines === null) continue;
      writeFileSync(join(labelDir, `${s.subject}_au${au}.txt`), lines.join("\n") + "\n");
    }
    const dir = join(root, "img", s.subject);
    mkdirSync(dir, { recursive: true });
    for (const i of s.images ?? Array.from({ length: s.frames }, (_, k) => k)) writeFileSync(join(dir, `${i}.png`), png);
  }
  return root;
}
