/**
 * Expands `aunce detect` arguments into media files: a file is taken as given, a folder is walked
 * recursively for image and video files, and an argument with * ? or [..] is a glob ("**" crosses
 * folders; expanded by tinyglobby). Results keep argument order; each folder or glob is sorted.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { globSync } from "tinyglobby";
import { VIDEO_EXTENSIONS, liveSourceArgs } from "../../face/video.ts";

/** Extensions taken from folders and globs as still images (sharp decodes them). */
export const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".gif", ".avif", ".heic"]);

/** "image", "video" or null (unknown) by extension. */
export function mediaKind(file: string): "image" | "video" | null {
  if (liveSourceArgs(file)) return "video";
  const e = extname(file).toLowerCase();
  if (IMAGE_EXTENSIONS.has(e)) return "image";
  if (VIDEO_EXTENSIONS.has(e)) return "video";
  return null;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Files the arguments name, and problems (arguments matching nothing) to report. */
export function expandInputs(args: readonly string[]): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  for (const arg of args) {
    if (liveSourceArgs(arg)) {
      files.push(arg); // a webcam or lavfi stream: ffmpeg opens it
      continue;
    }
    if (/[*?[]/.test(arg)) {
      // The folders before the first wildcard are the base, walked by tinyglobby (a missing one
      // matches nothing); as before, '*' also matches dot files and braces are literal.
      const parts = arg.split(/[\\/]/);
      const first = parts.findIndex((p) => /[*?[]/.test(p));
      const base = parts.slice(0, first).join("/") || (arg.startsWith("/") ? "/" : ".");
      const found = globSync(parts.slice(first).join("/"), { cwd: base, onlyFiles: true, dot: true, expandDirectories: false, braceExpansion: false, extglob: false })
        .map((f) => join(base, f))
        .sort();
      if (!found.length) problems.push(`${arg}: no files match`);
      files.push(...found);
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch {
      problems.push(`${arg}: no such file or folder`);
      continue;
    }
    if (st.isDirectory()) {
      const found = walk(arg).filter((f) => mediaKind(f) !== null).sort();
      if (!found.length) problems.push(`${arg}: folder holds no image or video files`);
      files.push(...found);
    } else files.push(arg);
  }
  return { files, problems };
}
