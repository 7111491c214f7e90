/**
 * A run's output folder: checked before any training (writable, enough free disk), JSON-lines
 * log, atomic JSON writes. Failing here costs seconds; failing after an epoch costs hours.
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Why `dir` could not be created or written, or null when it can: an existing folder must be
 * writable; otherwise its nearest existing ancestor must be a writable folder. Creates nothing.
 */
export function folderProblem(dir: string): string | null {
  let p = resolve(dir);
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) return `${p} does not exist`;
    p = up;
  }
  if (!statSync(p).isDirectory()) return `${p} is a file, not a folder`;
  try {
    accessSync(p, constants.W_OK);
  } catch {
    return `${p} is not writable`;
  }
  return null;
}

/** Throws when `dir` cannot be created or written (see folderProblem); creates nothing. */
export function checkRunDirWritable(dir: string): void {
  const why = folderProblem(dir);
  if (why) throw new Error(`output folder ${dir} is not writable: ${why}`);
}

/** Creates `dir` and proves it writable with `needBytes` free; throws a clear Error otherwise. */
export function prepareRunDir(dir: string, needBytes: number): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, "ok");
    rmSync(probe);
  } catch (e) {
    throw new Error(`output folder ${dir} is not writable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fs = statfsSync(dir);
  const free = Number(fs.bavail) * Number(fs.bsize);
  if (free < needBytes) {
    throw new Error(`output folder ${dir} has ${(free / 2 ** 20).toFixed(0)} MiB free; training needs about ${(needBytes / 2 ** 20).toFixed(0)} MiB for checkpoints`);
  }
}

/** Writes JSON atomically (temp file + rename), so a crash never leaves half a file; a failed write leaves no temp file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Appends one JSON object per line (the run's event log). */
export class JsonlLog {
  constructor(readonly path: string) {}
  write(event: Record<string, unknown>): void {
    appendFileSync(this.path, JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n");
  }
}

/**
 * Cuts a run's log back to what the checkpoint at `step` had seen: everything from the first event
 * past `step` (or a torn last line) on is dropped, so a run killed between two checkpoints and
 * resumed logs every step once. Rewritten atomically; returns the number of lines dropped.
 */
export function truncateLogAfter(path: string, step: number): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  let keep = 0;
  for (; keep < lines.length; keep++) {
    let e: { step?: unknown };
    try {
      e = JSON.parse(lines[keep]) as { step?: unknown };
    } catch {
      break;
    }
    if (typeof e.step === "number" && e.step > step) break;
  }
  if (keep === lines.length) return 0;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, lines.slice(0, keep).map((l) => l + "\n").join(""));
  renameSync(tmp, path);
  return lines.length - keep;
}
