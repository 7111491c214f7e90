// Prints the compiler/linker flags binding.gyp needs for libtorch, as gyp list items.
//   node libtorch.cjs include|libs
// LIBTORCH_DIR selects an official libtorch build (CPU or CUDA); otherwise Debian's libtorch-dev.
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.LIBTORCH_DIR;
const what = process.argv[2];
if (what === "include") {
  const base = dir ? path.join(dir, "include") : "/usr/include";
  console.log([base, path.join(base, "torch", "csrc", "api", "include")].join(" "));
} else if (what === "libs") {
  const libDir = dir ? path.join(dir, "lib") : null;
  const flags = [];
  if (libDir) flags.push(`-L${libDir}`, `-Wl,-rpath,${libDir}`);
  // --no-as-needed: CUDA kernels register themselves from static initialisers of libtorch_cuda,
  // which the linker would otherwise drop because no symbol of it is referenced.
  flags.push("-Wl,--no-as-needed");
  const has = (name) => libDir && fs.existsSync(path.join(libDir, `lib${name}.so`));
  for (const lib of ["torch", "torch_cpu", "c10"]) flags.push(`-l${lib}`);
  for (const lib of ["torch_cuda", "c10_cuda"]) if (has(lib)) flags.push(`-l${lib}`);
  flags.push("-Wl,--as-needed");
  console.log(flags.join(" "));
} else {
  console.error("usage: node libtorch.cjs include|libs");
  process.exit(2);
}
