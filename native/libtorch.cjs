// Prints what binding.gyp needs for the selected libtorch, as gyp list items:
//   node libtorch.cjs include|libs|cflags|defines|version
// The engine comes from LIBTORCH_DIR (a libtorch folder: an official build, or a PyTorch wheel's
// torch/ folder); without it, Debian's libtorch-dev (/usr). scripts/setup.mjs picks the folder.
// Required as a module it exports headerVersion(dir), the one reader of a libtorch's version
// (scripts/engine.mjs and src/native/load.ts use it).
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.LIBTORCH_DIR || null;
const what = process.argv[2];
const incBase = dir ? path.join(dir, "include") : "/usr/include";
const libDir = dir ? path.join(dir, "lib") : null;
const has = (name) => libDir !== null && fs.existsSync(path.join(libDir, `lib${name}.so`));

/** {major, minor, patch} of a libtorch folder's headers (headeronly/ in 2.x, csrc/api in 1.x), or null. */
function versionOf(root) {
  for (const rel of [["torch", "headeronly", "version.h"], ["torch", "csrc", "api", "include", "torch", "version.h"]]) {
    const p = path.join(root, "include", ...rel);
    if (!fs.existsSync(p)) continue;
    const text = fs.readFileSync(p, "utf8");
    const num = (k) => Number((text.match(new RegExp(`#define TORCH_VERSION_${k} (\\d+)`)) || [])[1]);
    const v = { major: num("MAJOR"), minor: num("MINOR"), patch: num("PATCH") };
    if (Number.isFinite(v.major) && Number.isFinite(v.minor)) return v;
  }
  return null;
}

/** "major.minor.patch" of a libtorch folder ("/usr" for Debian's), or null when it has no headers. */
function headerVersion(root) {
  const v = versionOf(root);
  return v && `${v.major}.${v.minor}.${v.patch}`;
}
module.exports = { headerVersion };

function version() {
  const v = versionOf(dir ?? "/usr");
  if (!v) throw new Error(`libtorch.cjs: no torch version header under ${incBase}`);
  return v;
}

/** The CUDA toolkit's include folder (CUDA builds include ATen/cuda headers, which need it). */
function cudaInclude() {
  const homes = [process.env.CUDA_HOME, process.env.CUDA_PATH, "/usr/local/cuda"].filter(Boolean);
  for (const h of homes) if (fs.existsSync(path.join(h, "include", "cuda_runtime_api.h"))) return path.join(h, "include");
  // pip's nvidia-cuda-runtime wheel, beside a wheel's torch/ folder
  const wheel = dir && path.join(dir, "..", "nvidia", "cuda_runtime", "include");
  if (wheel && fs.existsSync(path.join(wheel, "cuda_runtime_api.h"))) return wheel;
  return null;
}
const cuda = has("torch_cuda") && has("c10_cuda");

if (require.main !== module) {
  // required for headerVersion: print nothing
} else if (what === "include") {
  const inc = [incBase, path.join(incBase, "torch", "csrc", "api", "include")];
  // c10d's ProcessGroupGloo.hpp includes Gloo headers, which the pip wheels leave out (see gloo-shim/README.md).
  // (Debian's libtorch-dev has them in /usr/include through libgloo-dev.)
  if (!fs.existsSync(path.join(incBase, "gloo", "context.h"))) inc.push(path.join(__dirname, "gloo-shim"));
  // NCCL's header for a CUDA wheel's ProcessGroupNCCL.hpp: pip's nvidia-nccl wheel beside torch/.
  const nccl = dir && path.join(dir, "..", "nvidia", "nccl", "include");
  if (cuda && nccl && fs.existsSync(path.join(nccl, "nccl.h"))) inc.push(nccl);
  if (cuda) {
    const c = cudaInclude();
    if (!c) {
      console.error("libtorch.cjs: this libtorch has CUDA, but no CUDA toolkit headers (cuda_runtime_api.h) were found; set CUDA_HOME");
      process.exit(1);
    }
    inc.push(c);
  }
  console.log(inc.join(" "));
} else if (what === "libs") {
  const flags = [];
  if (libDir) flags.push(`-L${libDir}`, `-Wl,-rpath,${libDir}`);
  // --no-as-needed: CUDA kernels register themselves from static initialisers of libtorch_cuda,
  // which the linker would otherwise drop because no symbol of it is referenced.
  flags.push("-Wl,--no-as-needed");
  for (const lib of ["torch", "torch_cpu", "c10"]) flags.push(`-l${lib}`);
  for (const lib of ["torch_cuda", "c10_cuda"]) if (has(lib)) flags.push(`-l${lib}`);
  flags.push("-Wl,--as-needed");
  console.log(flags.join(" "));
} else if (what === "cflags") {
  // libtorch 2.x headers need C++20 from 2.14 on (and accept it before); 1.13's are C++17 code.
  console.log(version().major >= 2 ? "-std=c++20" : "-std=c++17");
} else if (what === "defines") {
  const d = [];
  if (cuda) d.push("AUNCE_WITH_CUDA=1");
  // A pre-C++11-ABI torch (older pip wheels) needs the addon built the same way.
  if (process.env.AUNCE_CXX11_ABI === "0" || process.env.AUNCE_CXX11_ABI === "1") {
    d.push(`_GLIBCXX_USE_CXX11_ABI=${process.env.AUNCE_CXX11_ABI}`);
  }
  console.log(d.join(" "));
} else if (what === "version") {
  const v = version();
  console.log(`${v.major}.${v.minor}.${v.patch}`);
} else {
  console.error("usage: node libtorch.cjs include|libs|cflags|defines|version");
  process.exit(2);
}
