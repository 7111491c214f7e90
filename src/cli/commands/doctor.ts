/**
 * `aunce doctor`: what the engine runs on — libtorch version, the BLAS library actually mapped
 * (Debian's libtorch falls back to the ~30x slower reference BLAS without OpenBLAS), threads,
 * oneDNN, CPU capability, CUDA — plus a quick matmul throughput so a slow set-up shows at once.
 */
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("doctor")
    .description("show the compute engine's set-up (libtorch, BLAS, threads, CUDA) and a matmul speed check")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { engineInfo, matmul, randn, tidy } = await import("../../tensor/index.ts");
      const info: Record<string, unknown> = { ...engineInfo() };
      // 512x512 float32 matmuls: ~0.27 GFLOP each; OpenBLAS does >100 GFLOP/s on 2 cores here.
      const n = 512;
      const gflops = tidy(() => {
        const a = randn([n, n]);
        const b = randn([n, n]);
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
