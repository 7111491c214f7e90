/**
 * `aunce doctor`: what the engine runs on — libtorch version, the BLAS library actually mapped
 * (Debian's libtorch falls back to the ~30x slower reference BLAS without OpenBLAS), threads,
 * oneDNN, CPU capability, CUDA — plus a quick matmul throughput so a slow set-up shows at once.
 * Before loading anything it says whether the native addon is built, and against what; when it is
 * not (an installed package whose install script npm held back), what to run.
 */
import type { Command } from "commander";
import { addonStatus, notBuiltHelp, setupCommand } from "../../native/load.ts";

export function register(program: Command): void {
  program
    .command("doctor")
    .description("show the compute engine's set-up (libtorch, BLAS, threads, CUDA) and a matmul speed check")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const addon = addonStatus();
      if (!addon.path || addon.mismatch) {
        const problem = addon.path
          ? `the native addon ${addon.path} does not match its engine: ${addon.mismatch}. Rebuild it with \`${setupCommand()}\`.`
          : `the native addon is not built (looked for ${addon.tried.join(", ")}).\n${notBuiltHelp()}`;
        if (opts.json) console.log(JSON.stringify({ addon: null, problem }, null, 2));
        else console.log(`addon          not usable\n\n${problem}`);
        process.exitCode = 1;
        return;
      }
      const { engineInfo, full, matmul, tidy } = await import("../../tensor/index.ts");
      const info: Record<string, unknown> = { ...engineInfo() };
      const built = addon.record ? ` (built for Node ${addon.record.node ?? "?"}${addon.record.cxx11Abi === false ? ", pre-C++11 ABI" : ""})` : "";
      info.addon = `${addon.path}${built}`;
      // 512x512 float32 matmuls: ~0.27 GFLOP each; OpenBLAS does >100 GFLOP/s on 2 cores here.
      const n = 512;
      const gflops = tidy(() => {
        // Constant operands: the speed of a matmul does not depend on its values, and nothing is drawn.
        const a = full([n, n], 0.5);
        const b = full([n, n], 0.25);
        matmul(a, b);
        const reps = 20;
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) matmul(a, b).dispose();
        return (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
      });
      info.matmulGflops = Number(gflops.toFixed(1));
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      for (const [k, v] of Object.entries(info)) console.log(`${k.padEnd(14)} ${v}`);
      if (!/OpenBLAS|MKL/.test(String(info.blas))) {
        console.log("\nwarning: not running on OpenBLAS/MKL; install libopenblas0-pthread (Debian) for ~30x faster matmul.");
      }
    });
}
