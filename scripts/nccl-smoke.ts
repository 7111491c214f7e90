/**
 * NCCL smoke test for GPU machines (scripts/gpu-check.sh): one process per GPU joins a c10d NCCL
 * group over a loopback TCPStore, all-reduces and all-gathers CUDA tensors, checks the values
 * and prints one line with the all-reduce time of a 64 MiB float32 buffer.
 *   node --import tsx scripts/nccl-smoke.ts [--nproc N]   (default: every GPU)
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { cudaDeviceCount, cudaSynchronize, fromArray, full, ncclAvailable, ProcessGroup } from "../src/tensor/index.ts";

function rankMain(): void {
  const rank = Number(process.env.RANK);
  const world = Number(process.env.WORLD_SIZE);
  const device = `cuda:${rank}`;
  const pg = ProcessGroup.init({ rank, worldSize: world, masterPort: Number(process.env.MASTER_PORT), backend: "nccl", timeoutMs: 120_000 });
  const t = fromArray(Float32Array.of(rank + 1, 2 * (rank + 1)), [2], { device });
  pg.allReduce([t], "sum");
  const want = (world * (world + 1)) / 2;
  const got = Array.from(t.data<"float32">());
  if (got[0] !== want || got[1] !== 2 * want) throw new Error(`rank ${rank}: all-reduce gave [${got}], want [${want}, ${2 * want}]`);
  const gathered = pg.allGather(fromArray(Float32Array.of(rank), [1], { device })).map((x) => x.item());
  if (gathered.some((v, i) => v !== i)) throw new Error(`rank ${rank}: all-gather gave [${gathered}]`);
  const big = full([16 * 2 ** 20], 1, { device });
  pg.allReduce([big], "sum"); // warm-up
  cudaSynchronize(rank);
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) pg.allReduce([big], "sum");
  cudaSynchronize(rank);
  const ms = (performance.now() - t0) / 5;
  pg.barrier();
  pg.close();
  if (rank === 0) console.log(`nccl: ${world} rank(s): all-reduce and all-gather correct; 64 MiB float32 all-reduce ${ms.toFixed(2)} ms`);
}

async function main(): Promise<void> {
  if (!ncclAvailable()) throw new Error("this addon has no NCCL backend (a CPU build, or a CUDA build without nccl.h)");
  const i = process.argv.indexOf("--nproc");
  const world = i >= 0 ? Number(process.argv[i + 1]) : cudaDeviceCount();
  if (!(world >= 1)) throw new Error("no CUDA device");
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const self = fileURLToPath(import.meta.url);
  const codes = await Promise.all(Array.from({ length: world }, (_, rank) => new Promise<number>((res) => {
    const p = spawn(process.execPath, ["--import", "tsx", self, "--rank"], { stdio: "inherit", env: { ...process.env, RANK: String(rank), WORLD_SIZE: String(world), MASTER_PORT: String(port) } });
    p.on("exit", (code) => res(code ?? 1));
  })));
  if (codes.some((c) => c !== 0)) throw new Error(`rank exit codes ${codes.join(", ")}`);
}

if (process.argv.includes("--rank")) rankMain();
else await main();
