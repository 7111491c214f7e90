#!/usr/bin/env node
// Idempotent set-up, run before `npm test`, `npm run demo` and `npm run bench`:
//   1. libtorch, picked by scripts/engine.mjs: LIBTORCH_DIR; AUNCE_ENGINE=debian|local|python to
//      force a choice; else the torch of the user's python3; else PyTorch's CPU wheel unpacked into
//      .engine/ by pip; else Debian's libtorch-dev, installed with apt when missing and root;
//   2. OpenBLAS (libopenblas0-pthread) with Debian's libtorch: without it that engine runs on the
//      reference BLAS, measured ~30x slower for matmul (the wheels link MKL statically);
//   3. `npm ci` when node_modules does not match package-lock.json;
//   4. the native addon (native/), rebuilt when its sources or the libtorch it targets change (one
//      build kept per engine in .engine/builds/, so switching back is a copy);
//   5. the TypeScript build (dist/) used by the `aunce` command;
//   and ffmpeg (Debian) for video input to `aunce detect`, installed when missing and root.
// Flags: --native-only (steps 1, 2, 4), --with-python-torch (also apt python3-torch/torchvision,
// the benchmark's and fixture scripts' reference).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  DEFAULT_TORCH_SPEC, debianEngine, dirEngine, engineKey, installLocal, localEngine, pythonTorch, requestedEngine,
} from "./engine.mjs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = new Set(process.argv.slice(2));
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const log = (msg) => console.log(`[setup] ${msg}`);

function sh(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
function fail(msg) {
  console.error(`[setup] ${msg}`);
  process.exit(1);
}
function dpkgInstalled(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}
let aptUpdated = false;
function aptInstall(pkgs, why) {
  if (!isRoot || !existsSync("/usr/bin/apt-get")) {
    fail(`${why}\n  Install it with:  sudo apt-get install -y ${pkgs.join(" ")}\n` +
      "  or point LIBTORCH_DIR at an unpacked official libtorch (https://pytorch.org) and run again.");
  }
  log(`${why} -> apt-get install ${pkgs.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    sh("apt-get", ["update", "-q"], { env });
    aptUpdated = true;
  }
  if (sh("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...pkgs], { env }) !== 0) {
    fail(`apt-get install ${pkgs.join(" ")} failed; install them by hand and run again.`);
  }
}
function hashFiles(paths, extra = "") {
  const h = createHash("sha256").update(extra);
  for (const p of paths) h.update(p).update(readFileSync(p));
  return h.digest("hex");
}
function listFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  }).sort();
}
function stamp(name) {
  const p = join(root, `.setup-stamp-${name}`);
  return { get: () => (existsSync(p) ? readFileSync(p, "utf8") : ""), set: (v) => writeFileSync(p, v) };
}

// 1-2. libtorch (see scripts/engine.mjs for the order) and, for Debian's, OpenBLAS
function debianWithBlas() {
  const missing = ["libtorch-dev", "libopenblas0-pthread"].filter((p) => !dpkgInstalled(p));
  if (missing.length) aptInstall(missing, `missing Debian packages: ${missing.join(", ")}`);
  return debianEngine();
}
let engine;
try {
  const want = requestedEngine();
  if (want === "dir") {
    engine = dirEngine();
    if (!engine) fail(`LIBTORCH_DIR=${process.env.LIBTORCH_DIR} does not look like libtorch (needs include/torch/csrc/api/include/torch/torch.h and lib/libtorch_cpu.so).`);
  } else if (want === "python") {
    engine = pythonTorch();
    if (!engine) fail("AUNCE_ENGINE=python, but python3 cannot import a torch with C++ headers (pip install torch, or set PYTHON=/path/to/python).");
  } else if (want === "local") {
    engine = localEngine(root) ?? installLocal(root, log);
    if (!engine) fail(`AUNCE_ENGINE=local: pip could not unpack ${process.env.AUNCE_TORCH_SPEC || DEFAULT_TORCH_SPEC} (see pip's output above; AUNCE_PIP_ARGS passes extra pip flags such as --index-url).`);
  } else if (want === "debian") {
    engine = debianWithBlas();
  } else {
    engine = pythonTorch() ?? localEngine(root) ?? installLocal(root, log);
    if (!engine) {
      log("engine: no PyTorch wheel could be had; falling back to Debian's libtorch-dev (1.13, CPU)");
      engine = debianWithBlas();
    }
  }
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (!engine) fail("no libtorch found");
log(`engine: libtorch ${engine.version}${engine.cuda ? " (CUDA)" : " (CPU)"} from ${engine.origin}`);
// ffmpeg: `aunce detect` streams videos and webcams through it (and its tests run a generated video).
if (!args.has("--native-only") && !dpkgInstalled("ffmpeg") && spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status !== 0) {
  if (isRoot && existsSync("/usr/bin/apt-get")) aptInstall(["ffmpeg"], "ffmpeg (video input for aunce detect) is missing");
  else log("note: ffmpeg is not installed; `aunce detect` will skip videos (sudo apt-get install ffmpeg)");
}
if (args.has("--with-python-torch")) {
  const missing = ["python3-torch", "python3-torchvision"].filter((p) => !dpkgInstalled(p));
  if (missing.length) aptInstall(missing, `reference PyTorch for benchmarks missing: ${missing.join(", ")}`);
}

// 3. npm dependencies
if (!args.has("--native-only")) {
  const lock = join(root, "package-lock.json");
  const want = hashFiles([lock]);
  const s = stamp("npm");
  if (s.get() !== want || !existsSync(join(root, "node_modules", ".package-lock.json"))) {
    log("npm ci");
    if (sh("npm", ["ci", "--no-audit", "--no-fund"]) !== 0) fail("npm ci failed");
    s.set(want);
  }
}

// 4. native addon: built per engine; builds are kept in .engine/builds/<key>/ so that switching
// engines back and forth copies a finished build instead of compiling again.
{
  const nativeDir = join(root, "native");
  const sources = listFiles(join(nativeDir, "src")).concat([join(nativeDir, "binding.gyp"), join(nativeDir, "libtorch.cjs")]);
  const want = hashFiles(sources, `${engineKey(engine)}|${process.version}`);
  const s = stamp("native");
  const releaseDir = join(nativeDir, "build", "Release");
  const built = join(releaseDir, "aunce.node");
  const cacheDir = join(root, ".engine", "builds", want.slice(0, 16));
  const engineFile = (dir) => join(dir, "engine.json");
  const record = { ...engine, sourcesHash: want, node: process.version };
  if (s.get() !== want || !existsSync(built) || !existsSync(engineFile(releaseDir))) {
    if (existsSync(join(cacheDir, "aunce.node"))) {
      log(`native addon: reusing the build for this engine (${cacheDir})`);
      mkdirSync(releaseDir, { recursive: true });
      copyFileSync(join(cacheDir, "aunce.node"), built);
    } else {
      log(`building the native addon (native/) against libtorch ${engine.version} — a few minutes the first time`);
      const candidates = [
        process.env.npm_config_node_gyp,
        join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
        "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
        "/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
        join(root, "node_modules", "node-gyp", "bin", "node-gyp.js"),
      ].filter((p) => p && existsSync(p));
      if (!candidates.length) fail("node-gyp not found (it ships with npm); install it with `npm i -g node-gyp`.");
      const jobs = String(Math.max(1, (await import("node:os")).availableParallelism()));
      // Build against the running Node's own headers when they are installed beside it: node-gyp
      // would otherwise try to download them, and only the npm and apt registries are reachable.
      const nodeDir = dirname(dirname(process.execPath));
      const gypArgs = ["rebuild", "--directory", nativeDir, "--jobs", jobs];
      if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) gypArgs.push(`--nodedir=${nodeDir}`);
      const env = { ...process.env };
      if (engine.dir) env.LIBTORCH_DIR = engine.dir;
      else delete env.LIBTORCH_DIR;
      if (engine.cxx11Abi !== null) env.AUNCE_CXX11_ABI = engine.cxx11Abi ? "1" : "0";
      const code = sh(process.execPath, [candidates[0], ...gypArgs], { env });
      if (code !== 0) fail(`native build against libtorch ${engine.version} (${engine.origin}) failed (see the compiler output above).`);
      mkdirSync(cacheDir, { recursive: true });
      copyFileSync(built, join(cacheDir, "aunce.node"));
      writeFileSync(engineFile(cacheDir), JSON.stringify(record, null, 2) + "\n");
    }
    writeFileSync(engineFile(releaseDir), JSON.stringify(record, null, 2) + "\n");
    s.set(want);
  }
}

// 5. TypeScript build for the CLI
if (!args.has("--native-only")) {
  if (sh(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]) !== 0) {
    fail("TypeScript build failed");
  }
}
log("ready");
