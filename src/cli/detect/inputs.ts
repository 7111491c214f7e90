/**
 * Expands `aunce detect` arguments into media files: a file is taken as given, a folder is walked
 * recursively for image and video files, and an argument with * ? or [..] is a glob ("**" crosses
 * folders). Results keep argument order; each folder or glob is sorted.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
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

/** A glob pattern as a RegExp over '/'-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) re += "\\[";
      else { re += `[${pattern.slice(i + 1, end).replace(/^!/, "^")}]`; i = end; }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
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
      const parts = arg.split(/[\\/]/);
      const first = parts.findIndex((p) => /[*?[]/.test(p));
      const base = parts.slice(0, first).join("/") || ".";
      const rx = globToRegExp(parts.slice(first).join("/"));
      let found: string[] = [];
      try {
        found = walk(base).filter((f) => rx.test(relative(base, f).split(sep).join("/"))).sort();
      } catch {
        /* a missing base folder just matches nothing */
      }
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
