/**
 * A run's output folder: checked before any training (writable, enough free disk), JSON-lines
 * log, atomic JSON writes. Failing here costs seconds; failing after an epoch costs hours.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
