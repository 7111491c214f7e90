/**
 * Finds and loads the native addon. A failed load prints the paths tried and the commands that
 * fix it (build, install libtorch), instead of a bare dlopen error.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Candidate locations of aunce.node: AUNCE_NATIVE, then native/build relative to src/ or dist/. */
function candidates(): string[] {
  const list: string[] = [];
  if (process.env.AUNCE_NATIVE) list.push(process.env.AUNCE_NATIVE);
  for (const rel of ["../../native/build/Release/aunce.node", "../../../native/build/Release/aunce.node"]) {
    list.push(fileURLToPath(new URL(rel, import.meta.url)));
  }
  return list;
}

/** What scripts/setup.mjs recorded beside the addon about the libtorch it was built against. */
export interface EngineRecord {
  /** dir: LIBTORCH_DIR; python: the user's python3 torch; local: the project's wheel; debian: libtorch-dev */
  kind: "dir" | "python" | "local" | "debian";
  /** the libtorch folder (include/, lib/), null for Debian's /usr */
  dir: string | null;
  origin: string;
  version: string;
  cuda: boolean;
}

/** torch version of a libtorch folder's headers, or null (read by native/libtorch.cjs, as the build does). */
export const headerVersion = (require("../../native/libtorch.cjs") as { headerVersion(dir: string): string | null }).headerVersion;

/** The engine record beside an addon file, or null (built before records existed, or by hand). */
export function readEngineRecord(addonPath: string): EngineRecord | null {
  const p = join(dirname(addonPath), "engine.json");
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as EngineRecord;
  } catch {
    return null;
  }
}

/**
 * Why an engine no longer matches the addon built against it (its folder gone, or another torch
 * version installed there since), or null when it still matches.
 */
export function engineMismatch(rec: EngineRecord): string | null {
  const dir = rec.dir ?? "/usr";
  const now = headerVersion(dir);
  if (now === null) return `the libtorch it was built against (${rec.origin}) is no longer there`;
  if (now !== rec.version) return `it was built against libtorch ${rec.version} (${rec.origin}), which is now ${now}`;
  return null;
}

let loadedPath: string | null = null;
/** Path of the addon this process loaded (null before loading). */
export function loadedAddonPath(): string | null {
  return loadedPath;
}

/** Loads the addon and sets libtorch's thread count to the core count (Debian's starts at 1). */
export function loadAddon(): unknown {
  const tried = candidates();
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      "aunce: the native addon is not built. Tried:\n" +
        tried.map((p) => `  ${p}`).join("\n") +
        "\nBuild it with `npm run setup` (installs libtorch-dev and libopenblas0-pthread with apt when missing), " +
        "or set LIBTORCH_DIR to an unpacked official libtorch and run `npm run build:native`.",
    );
  }
  const rec = readEngineRecord(found);
  const mismatch = rec && engineMismatch(rec);
  if (mismatch) {
    throw new Error(`aunce: the native addon ${found} does not match its engine: ${mismatch}. Rebuild it with \`npm run setup\`.`);
  }
  let addon: { setNumThreads(n: number): void };
  try {
    addon = require(found);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `aunce: loading ${found} failed: ${msg}\n` +
        "If libtorch is missing: `sudo apt-get install libtorch-dev libopenblas0-pthread` (Debian/Ubuntu), " +
        "or set LIBTORCH_DIR (and LD_LIBRARY_PATH=$LIBTORCH_DIR/lib) and rebuild with `npm run build:native`.",
    );
  }
  loadedPath = found;
  const threads = Number(process.env.AUNCE_NUM_THREADS) || availableParallelism();
  addon.setNumThreads(threads);
  return addon;
}
