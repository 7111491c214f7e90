// Builds the native addon (native/) for an engine, or reuses a finished build of the same sources
// for the same engine. Used by scripts/setup.mjs (a clone's set-up, and `aunce setup` in an
// installed package) and by scripts/install.mjs (npm's install step of an installed package).
//
// A build is kept in caches keyed by buildKey(): the engine's resolved libtorch folder, its torch
// version, CPU/CUDA and C++ ABI, the hash of native/'s sources (paths relative to native/, so a
// clone and an installed package of the same sources agree) and the Node version. The caches are
// the clone's .engine/builds/ (switching engines there is a copy) and the user cache
// (scripts/engine.mjs cacheRoot(): <cache>/builds/<key>/), which a clone's set-up fills too, so
// that `npm install aunce` in an app on the same machine copies the clone's build instead of
// compiling for minutes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { cacheRoot, isCheckout, legacyEngineKey } from "./engine.mjs";

function listFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  }).sort();
}

/** What the build reads from native/: its sources, the Gloo shim headers, binding.gyp and libtorch.cjs (absolute paths). */
export function nativeSources(nativeDir) {
  return listFiles(join(nativeDir, "src")).concat(listFiles(join(nativeDir, "gloo-shim")), [join(nativeDir, "binding.gyp"), join(nativeDir, "libtorch.cjs")]);
}

/** sha256 of native/'s build inputs, named relative to native/ (the same for every copy of the same sources). */
export function sourcesHash(nativeDir) {
  const h = createHash("sha256");
  for (const p of nativeSources(nativeDir)) h.update(relative(nativeDir, p)).update("\0").update(readFileSync(p));
  return h.digest("hex");
}

/** The engine's libtorch folder with links resolved ("/usr" for Debian's): one folder, one key. */
function engineFolder(engine) {
  const dir = engine.dir ?? "/usr";
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * The cache key of a build: 16 hex digits over what the compiled addon depends on. The engine's
 * kind is not part of it: the same folder reached through LIBTORCH_DIR or as the wheel engine is
 * the same libtorch.
 */
export function buildKey(engine, sources, node = process.version) {
  const parts = [engineFolder(engine), engine.version, engine.cuda ? "cuda" : "cpu", engine.cxx11Abi ?? "", sources, node, process.platform, process.arch];
  return createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 16);
}

/** The build caches for a package folder, looked up and filled in this order. */
export function buildCaches(root) {
  const user = join(cacheRoot(), "builds");
  return isCheckout(root) ? [join(root, ".engine", "builds"), user] : [user];
}

/** The cached build folder for `key` (holding aunce.node and engine.json), or null. */
export function findCached(caches, key) {
  for (const c of caches) {
    const dir = join(c, key);
    if (existsSync(join(dir, "aunce.node")) && existsSync(join(dir, "engine.json"))) return dir;
  }
  return null;
}

/**
 * Stores a build in every cache (written under a temporary name and renamed, so an interrupted
 * copy never looks finished); `replace` overwrites a build already there (after --rebuild). A
 * cache that cannot be written is reported and skipped.
 */
export function storeBuild(caches, key, addonFile, record, log, replace = false) {
  for (const c of caches) {
    const dir = join(c, key);
    if (!replace && existsSync(join(dir, "aunce.node"))) continue;
    const part = `${dir}.partial-${process.pid}`;
    try {
      mkdirSync(part, { recursive: true });
      copyFileSync(addonFile, join(part, "aunce.node"));
      writeFileSync(join(part, "engine.json"), JSON.stringify(record, null, 2) + "\n");
      rmSync(dir, { recursive: true, force: true });
      renameSync(part, dir);
    } catch (err) {
      rmSync(part, { recursive: true, force: true });
      log(`note: could not keep the build in ${c} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

function readJson(p) {
  try {
    return JSON.parse(readFileSync(p, "utf8"));
  } catch {
    return null;
  }
}

/** node-gyp: the one npm passes to scripts, else the one npm ships with. */
function findNodeGyp(root) {
  return [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
    "/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
    join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ].find((p) => p && existsSync(p)) ?? null;
}

/** Compiles native/ against the engine with node-gyp; throws with the reason on failure. */
function compile(root, engine) {
  const nodeGyp = findNodeGyp(root);
  if (!nodeGyp) throw new Error("node-gyp not found (it ships with npm); install it with `npm i -g node-gyp`.");
  const nativeDir = join(root, "native");
  // Build against the running Node's own headers when they are installed beside it: node-gyp
  // would otherwise try to download them.
  const nodeDir = dirname(dirname(process.execPath));
  const gypArgs = ["rebuild", "--directory", nativeDir, "--jobs", String(Math.max(1, availableParallelism()))];
  if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) gypArgs.push(`--nodedir=${nodeDir}`);
  const env = { ...process.env };
  if (engine.dir) env.LIBTORCH_DIR = engine.dir;
  else delete env.LIBTORCH_DIR;
  if (engine.cxx11Abi !== null && engine.cxx11Abi !== undefined) env.AUNCE_CXX11_ABI = engine.cxx11Abi ? "1" : "0";
  const r = spawnSync(process.execPath, [nodeGyp, ...gypArgs], { cwd: root, stdio: "inherit", env });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`native build against libtorch ${engine.version} (${engine.origin}) failed (see the compiler output above).`);
}

/**
 * The hash a clone's set-up recorded before the build cache keys moved here (absolute paths, the
 * engine's kind): an addon built by that set-up for the same sources and engine (the current
 * one, or one kept in .engine/builds/<hash>/) is adopted into the caches instead of compiled again. Safe to delete once no clone has such a build left.
 */
function legacySourcesHash(nativeDir, engine) {
  const h = createHash("sha256").update(`${legacyEngineKey(engine)}|${process.version}`);
  for (const p of nativeSources(nativeDir)) h.update(p).update(readFileSync(p));
  return h.digest("hex");
}

/**
 * Makes native/build/Release/aunce.node the build for `engine`: kept when it already is, copied
 * from a cache when one has it, else compiled (and cached). `force` compiles regardless;
 * AUNCE_NO_COMPILE=1 fails instead of compiling (for checks that a cached build is used).
 * Writes engine.json beside the addon (what it was built against; the loader and `aunce doctor`
 * read it). Returns how the addon came to be: "current", "cached" (with `from`) or "compiled".
 */
export function ensureAddon(root, engine, { log, force = false, caches = buildCaches(root) }) {
  const nativeDir = join(root, "native");
  const sources = sourcesHash(nativeDir);
  const key = buildKey(engine, sources);
  const releaseDir = join(nativeDir, "build", "Release");
  const built = join(releaseDir, "aunce.node");
  const recordFile = join(releaseDir, "engine.json");
  const record = { ...engine, sourcesHash: sources, buildKey: key, node: process.version };
  const current = existsSync(built) ? readJson(recordFile) : null;
  if (!force && current && current.buildKey === key) return { state: "current", key };
  if (!force && current && !current.buildKey && current.sourcesHash === legacySourcesHash(nativeDir, engine)) {
    writeFileSync(recordFile, JSON.stringify(record, null, 2) + "\n");
    storeBuild(caches, key, built, record, log);
    return { state: "current", key };
  }
  const legacy = isCheckout(root) ? join(root, ".engine", "builds", legacySourcesHash(nativeDir, engine).slice(0, 16)) : null;
  const from = force ? null : findCached(caches, key) ?? (legacy && existsSync(join(legacy, "aunce.node")) ? legacy : null);
  if (from) {
    mkdirSync(releaseDir, { recursive: true });
    copyFileSync(join(from, "aunce.node"), built);
    writeFileSync(recordFile, JSON.stringify(record, null, 2) + "\n");
    // A clone's set-up also fills the user cache from its own cache, for installed packages.
    storeBuild(caches, key, built, record, log);
    return { state: "cached", key, from };
  }
  if (process.env.AUNCE_NO_COMPILE === "1") {
    throw new Error(`no finished build for this engine and these sources (key ${key}) in ${caches.join(", ")}, and AUNCE_NO_COMPILE=1 forbids compiling.`);
  }
  log(`building the native addon (native/) against libtorch ${engine.version} — a few minutes the first time`);
  rmSync(recordFile, { force: true });
  compile(root, engine);
  // An installed package keeps the addon only, not node-gyp's ~9 MB of objects and dependency files.
  if (!isCheckout(root)) for (const d of ["obj.target", ".deps"]) rmSync(join(releaseDir, d), { recursive: true, force: true });
  writeFileSync(recordFile, JSON.stringify(record, null, 2) + "\n");
  storeBuild(caches, key, built, record, log, force);
  return { state: "compiled", key };
}
