/**
 * Finds and loads the native addon. A failed load prints the paths tried and the commands that
 * fix it (build, install libtorch), instead of a bare dlopen error.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** The package folder: src/ and dist/ both sit one level below it. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Whether this is a clone of the repository (sources present) rather than an installed package. */
const IS_CHECKOUT = existsSync(join(PACKAGE_ROOT, "src", "index.ts"));

/** aunce's user cache folder, by the rule of scripts/engine.mjs cacheRoot (AUNCE_CACHE_DIR, $XDG_CACHE_HOME/aunce, ~/.cache/aunce). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUNCE_CACHE_DIR) return resolve(env.AUNCE_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "aunce");
}

/**
 * The command that builds or rebuilds the addon: `npm run setup` in a clone, `npx aunce setup` in an
 * app that installed the package (scripts/setup.mjs either way).
 */
export function setupCommand(): string {
  return IS_CHECKOUT ? "npm run setup" : "npx aunce setup";
}

/** Candidate locations of aunce.node: AUNCE_NATIVE, then the package's native/build/Release. */
function candidates(): string[] {
  const list: string[] = [];
  if (process.env.AUNCE_NATIVE) list.push(process.env.AUNCE_NATIVE);
  list.push(join(PACKAGE_ROOT, "native", "build", "Release", "aunce.node"));
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
  /** the torch's C++ ABI when known (python3's torch), else null */
  cxx11Abi?: boolean | null;
  /** the Node version it was built with */
  node?: string;
  /** its key in the build caches (scripts/addon-build.mjs) */
  buildKey?: string;
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

/** What the addon of this process would be: its path (null when none is built) and its engine record. */
export interface AddonStatus {
  path: string | null;
  /** the paths looked at */
  tried: string[];
  record: EngineRecord | null;
  /** why the addon no longer matches its engine, or null */
  mismatch: string | null;
}

/** Finds the addon without loading it (`aunce doctor` reports this before anything loads). */
export function addonStatus(): AddonStatus {
  const tried = candidates();
  const path = tried.find((p) => existsSync(p)) ?? null;
  const record = path ? readEngineRecord(path) : null;
  return { path, tried, record, mismatch: record && engineMismatch(record) };
}

/**
 * What to do when the addon is not built: in a clone the set-up; in an installed package `npx aunce
 * setup`, and why the install step did not build it (npm 11 holds back dependencies' install
 * scripts until the app approves them; the install script's own log when it ran).
 */
export function notBuiltHelp(): string {
  if (IS_CHECKOUT) {
    return "Build it with `npm run setup` (installs libtorch-dev and libopenblas0-pthread with apt when missing), " +
      "or set LIBTORCH_DIR to an unpacked official libtorch and run `npm run build:native`.";
  }
  const log = join(PACKAGE_ROOT, "native", "build", "install.log");
  const why = existsSync(log)
    ? `aunce's install script ran and said:\n${readFileSync(log, "utf8").trimEnd().split("\n").map((l) => `  | ${l}`).join("\n")}\n`
    : "aunce's install script, which builds it, has not run: npm holds back dependencies' install scripts until you approve them " +
      "(`npm install-scripts approve aunce`, then `npm rebuild aunce`), and `--ignore-scripts` skips them.\n";
  return why +
    "Run `npx aunce setup` in your app: it builds the addon for the libtorch it finds (LIBTORCH_DIR, else python3's torch, " +
    `else PyTorch's CPU wheel, which it unpacks into ${join(cacheRoot(), "engines")}). ` +
    "`npx aunce doctor` then says what it is built against.";
}

/** Loads the addon and sets libtorch's thread count to the core count (Debian's starts at 1). */
export function loadAddon(): unknown {
  const { path: found, tried, mismatch } = addonStatus();
  if (!found) {
    throw new Error("aunce: the native addon is not built. Tried:\n" + tried.map((p) => `  ${p}`).join("\n") + "\n" + notBuiltHelp());
  }
  if (mismatch) {
    throw new Error(`aunce: the native addon ${found} does not match its engine: ${mismatch}. Rebuild it with \`${setupCommand()}\`.`);
  }
  let addon: { setNumThreads(n: number): void };
  try {
    addon = require(found);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `aunce: loading ${found} failed: ${msg}\n` +
        "If libtorch is missing: `sudo apt-get install libtorch-dev libopenblas0-pthread` (Debian/Ubuntu), " +
        `or set LIBTORCH_DIR (and LD_LIBRARY_PATH=$LIBTORCH_DIR/lib) and rebuild with \`${IS_CHECKOUT ? "npm run build:native" : "npx aunce setup"}\`.`,
    );
  }
  loadedPath = found;
  const threads = Number(process.env.AUNCE_NUM_THREADS) || availableParallelism();
  addon.setNumThreads(threads);
  return addon;
}
