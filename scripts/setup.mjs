#!/usr/bin/env node
// Idempotent set-up, run before `npm test`, `npm run demo` and `npm run bench`:
//   1. libtorch, picked by scripts/engine.mjs: LIBTORCH_DIR; AUNCE_ENGINE=debian|local|python to
//      force a choice; else the torch of the user's python3; else PyTorch's CPU wheel unpacked into
//      .engine/ by pip; else Debian's libtorch-dev, installed with apt when missing and root;
//   2. OpenBLAS (libopenblas0-pthread) with Debian's libtorch: without it that engine runs on the
//      reference BLAS, measured ~30x slower for matmul (the wheels link MKL statically);
//   3. `npm ci` when node_modules does not match package-lock.json;
//   4. the native addon (native/), rebuilt when its sources or the libtorch it targets change (one
//      build kept per engine in .engine/builds/ and in the user cache, so switching back, or
//      installing the package into an app on this machine, is a copy: scripts/addon-build.mjs);
//   5. the TypeScript build (dist/) used by the `aunce` command;
//   and ffmpeg (Debian) for video input to `aunce detect`, and chromium (Debian) for the browser
//   build's tests and benchmark (test/web, bench/web.ts), installed when missing and root; a failed
//   chromium install is a note, not an error (those tests then skip, saying why).
// Flags: --native-only (steps 1, 2, 4; always so in an installed package, where `aunce setup` runs
// this), --rebuild (compile the addon even when a build is cached), --with-python-torch (also apt
// python3-torch/torchvision, the benchmark's and fixture scripts' reference).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCaches, ensureAddon } from "./addon-build.mjs";
import { debianEngine, isCheckout, pickEngine } from "./engine.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = new Set(process.argv.slice(2));
// An installed package (no sources: `aunce setup` runs this there) only has an addon to build.
if (!isCheckout(root)) args.add("--native-only");
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
  engine = pickEngine(root, { log, debian: debianWithBlas });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
log(`engine: libtorch ${engine.version}${engine.cuda ? " (CUDA)" : " (CPU)"} from ${engine.origin}`);
// ffmpeg: `aunce detect` streams videos and webcams through it (and its tests run a generated video).
if (!args.has("--native-only") && !dpkgInstalled("ffmpeg") && spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status !== 0) {
  if (isRoot && existsSync("/usr/bin/apt-get")) aptInstall(["ffmpeg"], "ffmpeg (video input for aunce detect) is missing");
  else log("note: ffmpeg is not installed; `aunce detect` will skip videos (sudo apt-get install ffmpeg)");
}
// chromium: the web page's tests drive it with playwright-core (no browser download of its own).
if (!args.has("--native-only") && !dpkgInstalled("chromium")) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    log("chromium (browser tests of the web build) is missing -> apt-get install chromium");
    if (!aptUpdated) {
      sh("apt-get", ["update", "-q"], { env });
      aptUpdated = true;
    }
    if (sh("apt-get", ["install", "-y", "-q", "--no-install-recommends", "chromium"], { env }) !== 0) log("note: apt-get install chromium failed; the browser tests will skip");
  } else log("note: chromium is not installed; the browser tests will skip (sudo apt-get install chromium)");
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

// 4. native addon: built per engine, or copied from a finished build of the same sources for the
// same engine (.engine/builds/, and the user cache that installed packages look in too).
try {
  const r = ensureAddon(root, engine, { log, force: args.has("--rebuild") });
  if (r.state === "cached") log(`native addon: reusing the build for this engine (${r.from})`);
  else if (r.state === "compiled") log(`native addon: built (kept in ${buildCaches(root).join(" and ")})`);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

// 5. TypeScript build for the CLI
if (!args.has("--native-only")) {
  if (sh(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]) !== 0) {
    fail("TypeScript build failed");
  }
}
log("ready");
