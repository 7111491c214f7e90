#!/usr/bin/env node
// Builds the native addon against a CUDA PyTorch and checks that it loads — no GPU needed.
//   node scripts/cuda-build-check.mjs [--torch-dir DIR]
// Without --torch-dir it unpacks the CUDA wheel (AUNCE_CUDA_TORCH_SPEC, default torch==2.14.1) and
// the nvidia-* wheels it links against into .engine/ with `pip install --no-deps --target` (the
// torch wheel's own dependency list names packages that are not needed to build and load it).
// Set AUNCE_CUDA_CHECK_REUSE=1 to load an existing .engine/cuda-check build without compiling.
// The build goes to .engine/cuda-check/ so the active engine's addon (native/build) is untouched.
// Loading it runs `aunce doctor --json` in a child process with AUNCE_NATIVE pointing at it, which
// must report the CUDA build (cudaBuild: true) and, on a machine without a GPU, cuda: false.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { headerVersion, isLibtorchDir } from "./engine.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const log = (m) => console.log(`[cuda-build-check] ${m}`);
const die = (m) => {
  console.error(`[cuda-build-check] FAIL: ${m}`);
  process.exit(1);
};
const argv = process.argv.slice(2);
const dirArg = argv.includes("--torch-dir") ? argv[argv.indexOf("--torch-dir") + 1] : null;

const spec = process.env.AUNCE_CUDA_TORCH_SPEC || "torch==2.14.1";
const NVIDIA = [
  "nvidia-cublas", "nvidia-cuda-cupti", "nvidia-cuda-nvrtc", "nvidia-cuda-runtime", "nvidia-cudnn-cu13", "nvidia-cufft",
  "nvidia-cufile", "nvidia-curand", "nvidia-cusolver", "nvidia-cusparse", "nvidia-cusparselt-cu13", "nvidia-nccl-cu13",
  "nvidia-nvjitlink", "nvidia-nvshmem-cu13", "nvidia-nvtx",
  // Headers only: c10d's ProcessGroupNCCL.hpp includes ATen/cuda, whose cuda_runtime.h needs
  // crt/host_config.h and CCCL's nv/target.
  "nvidia-cuda-crt==13.0.*", "nvidia-cuda-cccl==13.0.*",
];

let torchDir = dirArg;
if (!torchDir) {
  const target = join(root, ".engine", `pip-${spec.replace(/[^A-Za-z0-9.+-]+/g, "-")}-cuda`);
  torchDir = join(target, "torch");
  const python = process.env.PYTHON || "python3";
  const pip = (dir, pkgs) =>
    spawnSync(python, ["-m", "pip", "install", "--no-deps", "--no-input", "--disable-pip-version-check",
      "--retries", "0", "--timeout", "15", "--target", dir, ...pkgs], { stdio: "inherit" }).status;
  if (!isLibtorchDir(torchDir)) {
    log(`unpacking ${spec} into ${target} (pip --no-deps --target)`);
    if (pip(target, [spec]) !== 0) die(`pip could not unpack ${spec}`);
  }
  const done = join(target, "nvidia", ".aunce-complete");
  // The marker holds the list it was made from: a longer list unpacks again.
  if (!existsSync(done) || readFileSync(done, "utf8") !== NVIDIA.join("\n")) {
    // Each wheel into its own folder, then merged: pip --target skips a package whose top folder
    // (nvidia/) already exists, and a wheel missing from the index (the CUDA runtime, which the
    // toolkit's libcudart replaces) must not stop the others.
    log(`unpacking the nvidia-* wheels ${spec} links against (several GB)`);
    for (const p of NVIDIA) {
      const one = join(root, ".engine", "wheel-tmp");
      rmSync(one, { recursive: true, force: true });
      if (pip(one, [p]) !== 0) {
        log(`note: ${p} not available; its library must come from the CUDA toolkit`);
        continue;
      }
      cpSync(one, target, { recursive: true, force: true });
      rmSync(one, { recursive: true, force: true });
    }
    mkdirSync(dirname(done), { recursive: true });
    writeFileSync(done, NVIDIA.join("\n"));
  }
}
if (!isLibtorchDir(torchDir)) die(`${torchDir} is not a libtorch folder`);
if (!existsSync(join(torchDir, "lib", "libtorch_cuda.so"))) die(`${torchDir} has no libtorch_cuda.so: not a CUDA build`);
const version = headerVersion(torchDir);
log(`libtorch ${version} (CUDA) at ${torchDir}`);

// Build a copy of native/ so the active engine's build stays as it is.
const work = join(root, ".engine", "cuda-check");
const reuse = process.env.AUNCE_CUDA_CHECK_REUSE === "1" && existsSync(join(work, "build", "Release", "aunce.node"));
const addon = join(work, "build", "Release", "aunce.node");
if (!reuse) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(root, "native", "src"), join(work, "src"), { recursive: true });
  cpSync(join(root, "native", "gloo-shim"), join(work, "gloo-shim"), { recursive: true });
  for (const f of ["binding.gyp", "libtorch.cjs"]) cpSync(join(root, "native", f), join(work, f));
  const nodeDir = dirname(dirname(process.execPath));
  const gyp = [
    process.env.npm_config_node_gyp,
    join(nodeDir, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
  ].find((p) => p && existsSync(p));
  if (!gyp) die("node-gyp not found");
  // node-addon-api resolves from the project (binding.gyp asks `require('node-addon-api')`).
  const env = { ...process.env, LIBTORCH_DIR: torchDir, NODE_PATH: join(root, "node_modules") };
  const t0 = Date.now();
  const gypArgs = [gyp, "rebuild", "--directory", work, "--jobs", String(availableParallelism())];
  if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) gypArgs.push(`--nodedir=${nodeDir}`);
  if (spawnSync(process.execPath, gypArgs, { stdio: "inherit", env, cwd: root }).status !== 0) die("the CUDA build failed (compiler output above)");
  const buildS = ((Date.now() - t0) / 1000).toFixed(0);
  writeFileSync(join(work, "build", "Release", "engine.json"),
    JSON.stringify({ kind: "dir", dir: torchDir, origin: `CUDA check build (${torchDir})`, version, cuda: true }, null, 2));
  log(`built in ${buildS} s: ${addon}`);
}

// Load it: libcudart comes from the nvidia wheel beside torch/ or from the CUDA toolkit.
const libPaths = [join(torchDir, "..", "nvidia", "cu13", "lib"), "/usr/local/cuda/lib64", process.env.LD_LIBRARY_PATH].filter(Boolean);
const r = spawnSync(process.execPath, [join(root, "bin", "aunce.mjs"), "doctor", "--json"], {
  encoding: "utf8",
  env: { ...process.env, AUNCE_NATIVE: addon, LD_LIBRARY_PATH: libPaths.join(":") },
});
if (r.status !== 0) die(`loading the CUDA build failed:\n${r.stderr}`);
const info = JSON.parse(r.stdout);
log(`doctor: libtorch ${info.libtorch}, cudaBuild ${info.cudaBuild}, cuda ${info.cuda}, devices ${info.cudaDevices}, cuDNN ${info.cudnn}, NCCL ${info.nccl}`);
if (info.libtorch !== version) die(`loaded libtorch ${info.libtorch}, expected ${version}`);
if (info.cudaBuild !== true) die("the build does not report CUDA");
log("ok");
