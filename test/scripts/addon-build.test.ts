// The addon build cache (scripts/addon-build.mjs) and the install step (scripts/install.mjs),
// without compiling: keys name what a build depends on and nothing else, a cached build is copied
// into a package, a missing one with AUNCE_NO_COMPILE=1 fails instead of compiling for minutes, and
// the install script of a package with no engine leaves it installed with the command to run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cacheRoot as loaderCacheRoot } from "../../src/native/load.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Engine { kind: string; dir: string | null; origin: string; version: string; cuda: boolean; cxx11Abi: boolean | null }
interface AddonBuild {
  nativeSources(nativeDir: string): string[];
  sourcesHash(nativeDir: string): string;
  buildKey(engine: Engine, sources: string, node?: string): string;
  findCached(caches: string[], key: string): string | null;
  ensureAddon(root: string, engine: Engine, opts: { log: (m: string) => void; force?: boolean; caches?: string[] }): { state: string; key: string; from?: string };
}
interface EngineModule { cacheRoot(env?: NodeJS.ProcessEnv): string; engineHome(root: string): string; isCheckout(root: string): boolean }
const build = (await import(pathToFileURL(join(root, "scripts", "addon-build.mjs")).href)) as AddonBuild;
const engines = (await import(pathToFileURL(join(root, "scripts", "engine.mjs")).href)) as EngineModule;

/** A copy of the package's build inputs (native/ sources) and install scripts, as an installed package has them (no src/). */
function fakePackage(dir: string): string {
  for (const p of ["native/src", "native/gloo-shim", "native/binding.gyp", "native/libtorch.cjs", "scripts/engine.mjs", "scripts/addon-build.mjs", "scripts/install.mjs"]) {
    cpSync(join(root, p), join(dir, p), { recursive: true });
  }
  return dir;
}

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  set(vars);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

test("cache folder: AUNCE_CACHE_DIR, else $XDG_CACHE_HOME/aunce, else ~/.cache/aunce; the loader and the scripts agree", () => {
  const cases: NodeJS.ProcessEnv[] = [
    { AUNCE_CACHE_DIR: "/x/c", XDG_CACHE_HOME: "/y" },
    { XDG_CACHE_HOME: "/y" },
    {},
  ];
  const want = ["/x/c", "/y/aunce", join(homedir(), ".cache", "aunce")];
  cases.forEach((env, i) => {
    assert.equal(engines.cacheRoot(env), want[i]);
    assert.equal(loaderCacheRoot(env), want[i]);
  });
});

test("a clone keeps the wheel engine in .engine/, an installed package in the user cache (never in node_modules)", () => {
  const pkg = fakePackage(makeTempDir("aunce-pkg-"));
  assert.equal(engines.isCheckout(root), true);
  assert.equal(engines.engineHome(root), join(root, ".engine"));
  assert.equal(engines.isCheckout(pkg), false);
  assert.equal(withEnv({ AUNCE_CACHE_DIR: "/somewhere/cache" }, () => engines.engineHome(pkg)), "/somewhere/cache/engines");
});

test("sources hash: the same for every copy of native/, different when a source changes", () => {
  const pkg = fakePackage(makeTempDir("aunce-pkg-"));
  const here = build.sourcesHash(join(root, "native"));
  assert.equal(build.sourcesHash(join(pkg, "native")), here);
  writeFileSync(join(pkg, "native", "src", "addon.cc"), readFileSync(join(root, "native", "src", "addon.cc"), "utf8") + "// changed\n");
  assert.notEqual(build.sourcesHash(join(pkg, "native")), here);
});

test("build key: the resolved libtorch folder, version, CUDA, ABI, sources and Node version — not how the engine was found", () => {
  const dir = makeTempDir("aunce-torch-");
  mkdirSync(join(dir, "torch"));
  symlinkSync(join(dir, "torch"), join(dir, "link"));
  const e: Engine = { kind: "local", dir: join(dir, "torch"), origin: "wheel", version: "2.13.0", cuda: false, cxx11Abi: null };
  const k = build.buildKey(e, "s1", "v20.20.2");
  assert.match(k, /^[0-9a-f]{16}$/);
  assert.equal(build.buildKey({ ...e, kind: "dir", dir: join(dir, "link"), origin: "LIBTORCH_DIR" }, "s1", "v20.20.2"), k);
  const others = [
    build.buildKey({ ...e, version: "2.14.1" }, "s1", "v20.20.2"),
    build.buildKey({ ...e, cuda: true }, "s1", "v20.20.2"),
    build.buildKey({ ...e, cxx11Abi: false }, "s1", "v20.20.2"),
    build.buildKey({ ...e, dir: null }, "s1", "v20.20.2"),
    build.buildKey(e, "s2", "v20.20.2"),
    build.buildKey(e, "s1", "v22.0.0"),
  ];
  assert.equal(new Set([k, ...others]).size, others.length + 1);
});

test("ensureAddon copies a cached build into the package, then keeps it; a miss with AUNCE_NO_COMPILE=1 fails without compiling", () => {
  const work = makeTempDir("aunce-cache-");
  const pkg = fakePackage(join(work, "pkg"));
  const caches = [join(work, "cache", "builds")];
  const e: Engine = { kind: "dir", dir: join(work, "torch"), origin: "LIBTORCH_DIR", version: "9.9.9", cuda: false, cxx11Abi: null };
  mkdirSync(e.dir!);
  const key = build.buildKey(e, build.sourcesHash(join(pkg, "native")));
  const seeded = join(caches[0], key);
  mkdirSync(seeded, { recursive: true });
  writeFileSync(join(seeded, "aunce.node"), "a finished build");
  writeFileSync(join(seeded, "engine.json"), "{}");
  assert.equal(build.findCached(caches, key), seeded);
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);

  const first = build.ensureAddon(pkg, e, { log, caches });
  assert.deepEqual({ state: first.state, from: first.from }, { state: "cached", from: seeded });
  const release = join(pkg, "native", "build", "Release");
  assert.equal(readFileSync(join(release, "aunce.node"), "utf8"), "a finished build");
  const rec = JSON.parse(readFileSync(join(release, "engine.json"), "utf8")) as Record<string, unknown>;
  assert.equal(rec.buildKey, key);
  assert.equal(rec.origin, "LIBTORCH_DIR");
  assert.equal(rec.node, process.version);
  assert.equal(build.ensureAddon(pkg, e, { log, caches }).state, "current");

  // Another engine version: a different key, no build for it; compiling is forbidden here.
  const other = { ...e, version: "9.9.10" };
  withEnv({ AUNCE_NO_COMPILE: "1" }, () => {
    assert.throws(() => build.ensureAddon(pkg, other, { log, caches }), /no finished build for this engine .*AUNCE_NO_COMPILE=1 forbids compiling/);
  });
  assert.deepEqual(readdirSync(caches[0]), [key], "nothing half-written is left in the cache");
  assert.deepEqual(logs, []);
});

test("a clone's build from before the cache keys moved is adopted, not compiled: the current one and one kept in .engine/builds", () => {
  const clone = fakePackage(makeTempDir("aunce-clone-"));
  mkdirSync(join(clone, "src"));
  writeFileSync(join(clone, "src", "index.ts"), "");
  const caches = [join(clone, ".engine", "builds")];
  const e: Engine = { kind: "local", dir: join(clone, "torch"), origin: "wheel", version: "9.9.9", cuda: false, cxx11Abi: null };
  mkdirSync(e.dir!);
  // The old set-up's hash: the engine's kind and folder, the Node version, then absolute paths and contents.
  const h = createHash("sha256").update([e.kind, e.dir, e.version, "cpu", ""].join("|") + `|${process.version}`);
  for (const p of build.nativeSources(join(clone, "native"))) h.update(p).update(readFileSync(p));
  const legacy = h.digest("hex");
  const release = join(clone, "native", "build", "Release");
  mkdirSync(release, { recursive: true });
  writeFileSync(join(release, "aunce.node"), "built by the old set-up");
  writeFileSync(join(release, "engine.json"), JSON.stringify({ ...e, sourcesHash: legacy, node: process.version }));
  withEnv({ AUNCE_NO_COMPILE: "1" }, () => {
    const r = build.ensureAddon(clone, e, { log: () => {}, caches });
    assert.equal(r.state, "current");
    assert.equal(readFileSync(join(caches[0], r.key, "aunce.node"), "utf8"), "built by the old set-up");
    // Another engine's old build, kept under the old hash's first 16 digits, is copied in.
    rmSync(join(caches[0], r.key), { recursive: true });
    writeFileSync(join(release, "engine.json"), "{}");
    mkdirSync(join(caches[0], legacy.slice(0, 16)));
    writeFileSync(join(caches[0], legacy.slice(0, 16), "aunce.node"), "kept by the old set-up");
    const again = build.ensureAddon(clone, e, { log: () => {}, caches });
    assert.equal(again.state, "cached");
    assert.equal(readFileSync(join(release, "aunce.node"), "utf8"), "kept by the old set-up");
  });
});

test("install script: in a clone it leaves the set-up to npm run setup; with no engine it installs and names the command", () => {
  const clone = spawnSync(process.execPath, [join(root, "scripts", "install.mjs")], { encoding: "utf8" });
  assert.equal(clone.status, 0, clone.stderr);
  assert.match(clone.stdout, /a clone of the repository: `npm run setup` builds the native addon/);

  const work = makeTempDir("aunce-install-");
  const pkg = fakePackage(join(work, "pkg"));
  const env: NodeJS.ProcessEnv = { ...process.env, AUNCE_CACHE_DIR: join(work, "cache"), AUNCE_ENGINE: "python", PYTHON: join(work, "no-python") };
  delete env.LIBTORCH_DIR;
  const r = spawnSync(process.execPath, [join(pkg, "scripts", "install.mjs")], { encoding: "utf8", env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const logFile = join(pkg, "native", "build", "install.log");
  assert.ok(existsSync(logFile));
  const said = readFileSync(logFile, "utf8");
  assert.match(said, /the native addon is not built: AUNCE_ENGINE=python, but python3 cannot import a torch/);
  assert.match(said, /Run `npx aunce setup` in your app/);
  assert.ok(said.includes(join(work, "cache", "engines")), said);
  assert.equal(existsSync(join(pkg, "native", "build", "Release", "aunce.node")), false);
});

test("install script picks the app's engine: python3's torch when it has one, LIBTORCH_DIR over it; a cached build is copied", () => {
  const work = makeTempDir("aunce-install-");
  const pkg = fakePackage(join(work, "pkg"));
  // A libtorch folder as the checks see one (headers, libraries, version), and a python3 whose torch is it.
  const torch = join(work, "site", "torch");
  for (const f of ["include/torch/csrc/api/include/torch/torch.h", "lib/libtorch_cpu.so"]) {
    mkdirSync(join(torch, f, ".."), { recursive: true });
    writeFileSync(join(torch, f), "");
  }
  mkdirSync(join(torch, "include", "torch", "headeronly"));
  writeFileSync(join(torch, "include", "torch", "headeronly", "version.h"), "#define TORCH_VERSION_MAJOR 2\n#define TORCH_VERSION_MINOR 13\n#define TORCH_VERSION_PATCH 0\n");
  const python = join(work, "python3");
  writeFileSync(python, `#!/bin/sh\necho '${JSON.stringify({ dir: torch, version: "2.13.0+cpu", abi: true, cuda: null })}'\n`, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { ...process.env, AUNCE_CACHE_DIR: join(work, "cache"), PYTHON: python, AUNCE_NO_COMPILE: "1" };
  delete env.LIBTORCH_DIR;
  delete env.AUNCE_ENGINE;
  const install = (extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [join(pkg, "scripts", "install.mjs")], { encoding: "utf8", env: { ...env, ...extra } });

  const viaPython = install();
  assert.equal(viaPython.status, 1, "no build cached and compiling forbidden: the install fails, saying why");
  assert.match(viaPython.stdout, new RegExp(`engine: libtorch 2\\.13\\.0 \\(CPU\\) from ${python.replace(/[.+]/g, "\\$&")}'s torch 2\\.13\\.0\\+cpu`));
  assert.match(viaPython.stdout, /could not be built: no finished build .*AUNCE_NO_COMPILE=1/);

  const e: Engine = { kind: "dir", dir: torch, origin: "", version: "2.13.0", cuda: false, cxx11Abi: null };
  const seeded = join(work, "cache", "builds", build.buildKey(e, build.sourcesHash(join(pkg, "native"))));
  mkdirSync(seeded, { recursive: true });
  writeFileSync(join(seeded, "aunce.node"), "a finished build");
  writeFileSync(join(seeded, "engine.json"), "{}");
  const viaDir = install({ LIBTORCH_DIR: torch });
  assert.equal(viaDir.status, 0, viaDir.stdout + viaDir.stderr);
  assert.match(viaDir.stdout, new RegExp(`engine: libtorch 2\\.13\\.0 \\(CPU\\) from LIBTORCH_DIR=${torch.replace(/[.+]/g, "\\$&")}`));
  assert.match(viaDir.stdout, /native addon: copied the finished build for this engine from /);
  assert.equal(readFileSync(join(pkg, "native", "build", "Release", "aunce.node"), "utf8"), "a finished build");
});

