// The benchmarks' PyTorch peer, on the SAME libtorch as the addon it is compared with:
//   - an addon built against a PyTorch wheel's torch/ folder (engine kinds local, dir, python):
//     python3 with PYTHONPATH=<the folder above torch/>:<.engine/peer-py-<version>>, where
//     peer-py holds torch's pure-Python dependencies and the matching torchvision, installed with
//     `pip --no-deps --target` (nothing goes into the user's Python);
//   - Debian's libtorch (kind debian): /usr/bin/python3 with python3-torch (same 1.13 build).
// Python is only the benchmark's reference, never a dependency of the product.
// CLI: `node --import tsx scripts/peer-python.ts [ADDON]` prepares the peer for ADDON (default: the addon
// AUNCE_NATIVE or native/build would load) and prints its description as JSON.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readEngineRecord, type EngineRecord } from "../src/native/load.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** torch's pure-Python runtime dependencies (the wheel folder has torch only) and torchvision's. */
const PURE_DEPS = ["typing_extensions", "sympy", "mpmath", "networkx", "jinja2", "markupsafe", "fsspec", "filelock", "numpy", "pillow"];

/** torchvision release paired with a torch 2.x release: 2.N pairs with 0.(N+15) (2.13 -> 0.28). */
export function torchvisionFor(torchVersion: string): string | null {
  const m = /^2\.(\d+)\./.exec(torchVersion);
  if (!m) return null;
  return `0.${Number(m[1]) + 15}.0`;
}

/** The addon a plain load would pick: AUNCE_NATIVE, else native/build/Release/aunce.node. */
export function defaultAddon(): string {
  return process.env.AUNCE_NATIVE || join(root, "native", "build", "Release", "aunce.node");
}

/** The engine record (engine.json) beside an addon, or null. */
export function engineRecordOf(addon: string): EngineRecord | null {
  return readEngineRecord(addon);
}

/** How to start the peer: the python and the environment it needs, or why there is none. */
export type Peer =
  | { python: string; env: Record<string, string>; torch: string; origin: string; error?: undefined }
  | { error: string };

/** CPython tag (e.g. "311") the torch folder's extension module was built for, or null. */
function cpythonTag(torchDir: string): string | null {
  const so = readdirSync(torchDir).find((f) => /^_C\.cpython-\d+/.test(f));
  return so ? /^_C\.cpython-(\d+)/.exec(so)![1] : null;
}

function pythonTag(python: string): string | null {
  const r = spawnSync(python, ["-c", "import sys; print(f'{sys.version_info[0]}{sys.version_info[1]}')"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * How to run the peer for an engine record: { python, env, torch, origin } or { error }.
 * Installs the peer's pure-Python packages into <siteRoot>/peer-py-<torch>-tv<torchvision> on first use.
 */
export function peerFor(rec: EngineRecord | null, log = (m: string) => console.error(`[peer] ${m}`), siteRoot = join(root, ".engine")): Peer {
  if (!rec) return { error: "the addon has no engine.json (built without scripts/setup.mjs)" };
  if (rec.kind === "debian") {
    if (!existsSync("/usr/bin/python3")) return { error: "no /usr/bin/python3 (apt-get install python3-torch python3-torchvision)" };
    return { python: "/usr/bin/python3", env: {}, torch: rec.version, origin: "Debian python3-torch (/usr/bin/python3)" };
  }
  const torchDir = rec.dir;
  if (!torchDir || !existsSync(join(torchDir, "__init__.py"))) {
    return { error: `${rec.origin} is not a PyTorch wheel's torch/ folder: no Python peer on the same libtorch` };
  }
  const python = process.env.PEER_PYTHON || process.env.PYTHON || "python3";
  const want = cpythonTag(torchDir);
  const have = pythonTag(python);
  if (!have) return { error: `${python} does not run` };
  if (want && want !== have) return { error: `${torchDir} is built for CPython ${want}, ${python} is ${have} (set PEER_PYTHON)` };
  const engineParent = dirname(torchDir);
  if (rec.kind === "python") return { python, env: {}, torch: rec.version, origin: rec.origin };
  const tv = process.env.PEER_TORCHVISION || torchvisionFor(rec.version);
  if (!tv) return { error: `no torchvision pairing known for torch ${rec.version} (set PEER_TORCHVISION)` };
  const site = join(siteRoot, `peer-py-${rec.version}-tv${tv}`);
  if (!existsSync(join(site, "torchvision", "__init__.py"))) {
    log(`installing torch's pure-Python dependencies and torchvision==${tv} into ${site} (once)`);
    rmSync(`${site}.partial`, { recursive: true, force: true });
    const r = spawnSync(
      python,
      ["-m", "pip", "install", "--no-deps", "--no-input", "--disable-pip-version-check", "--retries", "0", "--timeout", "5",
        "--target", `${site}.partial`, ...PURE_DEPS, `torchvision==${tv}`],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    if (r.status !== 0) return { error: `pip could not install the peer's packages into ${site}` };
    rmSync(site, { recursive: true, force: true });
    renameSync(`${site}.partial`, site);
  }
  // PYTHONPATH comes before site-packages, so a torch installed in the user's Python is shadowed.
  return { python, env: { PYTHONPATH: `${engineParent}:${site}`, PYTHONNOUSERSITE: "1" }, torch: rec.version, origin: rec.origin };
}

/** Runs a peer script; returns its last stdout line parsed as JSON, or { error }. */
export function runPeer(peer: Peer, script: string, args: (string | number)[]): Record<string, unknown> & { error?: string } {
  if (peer.error !== undefined) return { error: peer.error };
  const r = spawnSync(peer.python, [script, ...args.map(String)], {
    encoding: "utf8",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...peer.env }, // no __pycache__ in bench/peer
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || "failed").trim().split("\n").pop() };
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
  } catch {
    return { error: `unreadable peer output: ${r.stdout.trim().slice(-200)}` };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const addon = process.argv[2] || defaultAddon();
  const peer = peerFor(engineRecordOf(addon));
  if (peer.error !== undefined) {
    console.error(`peer-python: ${peer.error}`);
    process.exit(1);
  }
  const check = runPeer(peer, "-c", ["import json, torch, torchvision; print(json.dumps({'torch': torch.__version__, 'torchvision': torchvision.__version__, 'threads': torch.get_num_threads()}))"]);
  console.log(JSON.stringify({ addon, ...peer, check }, null, 2));
  if (check.error) process.exit(1);
}
