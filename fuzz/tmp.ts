/**
 * One temporary folder per process for targets whose parser reads files (configs, thresholds,
 * dataset trees), made on first use and removed by removeFuzzTemp() or at exit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir: string | undefined;

/** The process's fuzz temp folder (created on first call). */
export function fuzzTemp(): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), "aunce-fuzz-"));
    process.once("exit", removeFuzzTemp);
  }
  return dir;
}

/** Removes the temp folder; the next fuzzTemp() makes a new one. */
export function removeFuzzTemp(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}
