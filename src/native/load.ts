/**
 * Finds and loads the native addon. A failed load prints the paths tried and the commands that
 * fix it (build, install libtorch), instead of a bare dlopen error.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
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
  const threads = Number(process.env.AUNCE_NUM_THREADS) || availableParallelism();
  addon.setNumThreads(threads);
  return addon;
}
