// Picks the libtorch the native addon builds against (used by scripts/setup.mjs), in this order:
//   1. LIBTORCH_DIR: a libtorch folder (an official build, or a PyTorch wheel's torch/ folder);
//   2. AUNCE_ENGINE=debian|local|python, when set, forces one of the choices below;
//   3. the torch importable by the user's python3 (how researchers have PyTorch; its folder is a
//      complete libtorch, as PyTorch's own C++ extensions use it);
//   4. the default for a fresh machine: PyTorch's CPU wheel unpacked with pip into the clone's
//      .engine/ folder, or, for an installed package, into the user cache (engineHome below: never
//      ~700 MB inside node_modules); no Python import is needed: only its torch/ folder is used;
//   5. Debian's libtorch-dev (1.13, CPU) when pip cannot provide the wheel.
// Every choice is described by an Engine record, stored beside the built addon so that `aunce
// doctor` and the loader can say what the addon was built against.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The CPU wheel a fresh machine gets; AUNCE_TORCH_SPEC overrides (e.g. "torch==2.14.1"). */
export const DEFAULT_TORCH_SPEC = "torch==2.13.0+cpu";

/** torch version of a libtorch folder's headers, or null (native/libtorch.cjs reads it for the build too). */
export const { headerVersion } = createRequire(import.meta.url)("../native/libtorch.cjs");

/** Whether `dir` is a usable libtorch folder (headers and libraries). */
export function isLibtorchDir(dir) {
  return (
    existsSync(join(dir, "include", "torch", "csrc", "api", "include", "torch", "torch.h")) &&
    existsSync(join(dir, "lib", "libtorch_cpu.so"))
  );
}

/** Whether a libtorch folder has CUDA libraries. */
export function hasCuda(dir) {
  return dir !== null && existsSync(join(dir, "lib", "libtorch_cuda.so"));
}

function describe(kind, dir, origin, extra = {}) {
  const version = dir ? headerVersion(dir) : headerVersion("/usr");
  return { kind, dir, origin, version, cuda: hasCuda(dir), cxx11Abi: extra.cxx11Abi ?? null };
}

/** The torch of the user's python3, or null (no python3, no torch, or a torch without headers). */
export function pythonTorch(python = process.env.PYTHON || "python3") {
  const code =
    "import json, os, torch\n" +
    "print(json.dumps({'dir': os.path.dirname(torch.__file__), 'version': torch.__version__, " +
    "'abi': bool(torch._C._GLIBCXX_USE_CXX11_ABI), 'cuda': torch.version.cuda}))";
  const r = spawnSync(python, ["-c", code], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0 || !r.stdout) return null;
  try {
    const info = JSON.parse(r.stdout.trim().split("\n").pop());
    if (!isLibtorchDir(info.dir)) return null;
    return describe("python", info.dir, `${python}'s torch ${info.version} (${info.dir})`, { cxx11Abi: info.abi });
  } catch {
    return null;
  }
}

/**
 * aunce's user-level cache: AUNCE_CACHE_DIR, else $XDG_CACHE_HOME/aunce, else ~/.cache/aunce. It
 * holds finished addon builds (builds/<key>/) and, for installed packages, the pip wheel engine
 * (engines/).
 */
export function cacheRoot(env = process.env) {
  if (env.AUNCE_CACHE_DIR) return resolve(env.AUNCE_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), ".cache"), "aunce");
}

/** Whether `root` is a clone of the repository (its TypeScript sources present), not an installed package. */
export function isCheckout(root) {
  return existsSync(join(root, "src", "index.ts"));
}

/** Where the pip wheel engine is unpacked: the clone's .engine/, or the user cache's engines/ for an installed package. */
export function engineHome(root) {
  return isCheckout(root) ? join(root, ".engine") : join(cacheRoot(), "engines");
}

/** The wheel folder for a pip spec, e.g. .engine/pip-torch-2.13.0+cpu. */
export function localDir(root, spec = process.env.AUNCE_TORCH_SPEC || DEFAULT_TORCH_SPEC) {
  return join(engineHome(root), `pip-${spec.replace(/[^A-Za-z0-9.+-]+/g, "-")}`);
}

/** The project-local wheel engine if already unpacked, else null. */
export function localEngine(root) {
  const spec = process.env.AUNCE_TORCH_SPEC || DEFAULT_TORCH_SPEC;
  const dir = join(localDir(root, spec), "torch");
  if (!isLibtorchDir(dir)) return null;
  return describe("local", dir, `PyTorch wheel ${spec} unpacked in ${localDir(root, spec)}`);
}

/**
 * Unpacks the CPU wheel into .engine/ with pip (`--no-deps --target`: nothing is installed into
 * the user's Python). Returns the engine, or null with pip's complaint printed.
 */
export function installLocal(root, log) {
  const spec = process.env.AUNCE_TORCH_SPEC || DEFAULT_TORCH_SPEC;
  const target = localDir(root, spec);
  const python = process.env.PYTHON || "python3";
  log(`engine: unpacking ${spec} into ${target} with pip (once; ~200 MB download, ~750 MB on disk)`);
  const extra = (process.env.AUNCE_PIP_ARGS || "").split(/\s+/).filter(Boolean);
  const r = spawnSync(
    python,
    ["-m", "pip", "install", "--no-deps", "--no-input", "--disable-pip-version-check", "--retries", "0", "--timeout", "15",
      "--target", `${target}.partial`, ...extra, spec],
    { stdio: "inherit" },
  );
  if (r.status !== 0) return null;
  // Unpacked under a temporary name and renamed at the end, so an interrupted download never
  // leaves a half folder that looks complete.
  spawnSync("rm", ["-rf", target]);
  spawnSync("mv", [`${target}.partial`, target]);
  return localEngine(root);
}

/** The Debian engine if libtorch-dev is installed. */
export function debianEngine() {
  if (!existsSync("/usr/include/torch/csrc/api/include/torch/torch.h")) return null;
  return describe("debian", null, "Debian libtorch-dev (/usr)");
}

/**
 * The key of the addon build cache before it moved to scripts/addon-build.mjs (it named the kind
 * and the unresolved folder); kept only so that an existing build is adopted instead of compiled.
 */
export function legacyEngineKey(e) {
  return [e.kind, e.dir ?? "/usr", e.version, e.cuda ? "cuda" : "cpu", e.cxx11Abi ?? ""].join("|");
}

/** Name of the selected choice: LIBTORCH_DIR, forced by AUNCE_ENGINE, or automatic. */
export function requestedEngine() {
  if (process.env.LIBTORCH_DIR) return "dir";
  const forced = process.env.AUNCE_ENGINE;
  if (forced && !["debian", "local", "python", "auto"].includes(forced)) {
    throw new Error(`AUNCE_ENGINE=${forced}: expected debian, local, python or auto`);
  }
  return forced && forced !== "auto" ? forced : "auto";
}

export function dirEngine() {
  const dir = process.env.LIBTORCH_DIR;
  return isLibtorchDir(dir) ? describe("dir", dir, `LIBTORCH_DIR=${dir}`) : null;
}

/**
 * Picks the engine in the order at the top of this file and returns its record; throws an Error
 * that says what to do when the requested one is not there. `debian()` is the last resort (the
 * set-up installs libtorch-dev with apt there; the install script only takes an installed one).
 */
export function pickEngine(root, { log, debian }) {
  const want = requestedEngine();
  if (want === "dir") {
    const e = dirEngine();
    if (!e) throw new Error(`LIBTORCH_DIR=${process.env.LIBTORCH_DIR} does not look like libtorch (needs include/torch/csrc/api/include/torch/torch.h and lib/libtorch_cpu.so).`);
    return e;
  }
  if (want === "python") {
    const e = pythonTorch();
    if (!e) throw new Error("AUNCE_ENGINE=python, but python3 cannot import a torch with C++ headers (pip install torch, or set PYTHON=/path/to/python).");
    return e;
  }
  if (want === "local") {
    const e = localEngine(root) ?? installLocal(root, log);
    if (!e) throw new Error(`AUNCE_ENGINE=local: pip could not unpack ${process.env.AUNCE_TORCH_SPEC || DEFAULT_TORCH_SPEC} (see pip's output above; AUNCE_PIP_ARGS passes extra pip flags such as --index-url).`);
    return e;
  }
  if (want === "debian") {
    const e = debian();
    if (!e) throw new Error("AUNCE_ENGINE=debian, but Debian's libtorch-dev is not installed (sudo apt-get install libtorch-dev libopenblas0-pthread).");
    return e;
  }
  const e = pythonTorch() ?? localEngine(root) ?? installLocal(root, log);
  if (e) return e;
  log("engine: no PyTorch wheel could be had; falling back to Debian's libtorch-dev (1.13, CPU)");
  const d = debian();
  if (!d) throw new Error("no libtorch found: no LIBTORCH_DIR, no torch in python3, pip could not unpack the CPU wheel, and Debian's libtorch-dev is not installed.");
  return d;
}
