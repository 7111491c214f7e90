/**
 * Data-parallel cost on this machine: a ResNet-18 AU-model training step (supervised head,
 * weighted asymmetric loss, AdamW) with the global batch on 1 process x 1 thread against 2
 * processes x 1 thread (Gloo on loopback, half the batch each), the 2 processes once with the
 * gradient all-reduce after backward (AUNCE_DIST_OVERLAP=0) and once overlapped with it (the
 * default). Reports per-step time, the time spent in GradientSync.average() (bucketed, 25 MiB;
 * overlapped: only the wait for buckets still in flight after backward) and its share of the step,
 * the buckets launched during backward, and the scaling efficiency (2-process images/s over twice
 * the 1-process images/s).
 *   node --import tsx bench/dist.ts [--batch 8] [--size 112] [--steps 6]
 * Each rank runs as `bench/dist.ts --worker` (RANK/WORLD_SIZE/MASTER_PORT in its environment).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { weightedAsymmetricLoss } from "../src/losses/index.ts";
import { createAuModel } from "../src/models/registry.ts";
import { AdamW } from "../src/nn/index.ts";
import { manualSeed, randn, rand, setNumThreads, tidy } from "../src/tensor/index.ts";
import { distEnv, GradientSync, joinGroup } from "../src/train/distributed.ts";

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const batch = arg("batch", 8);
const size = arg("size", 112);
const steps = arg("steps", 6);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface WorkerResult { rank: number; stepMs: number; commMs: number; overlapped: number; buckets: number }

function worker(): WorkerResult {
  setNumThreads(1);
  const env = distEnv();
  const world = env?.worldSize ?? 1;
  const ctx = env ? joinGroup(env, "cpu") : null;
  manualSeed(1);
  const model = createAuModel({ backbone: "resnet18", numAus: 12, method: "megraphau" });
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const sync = ctx ? new GradientSync(model.parameters(), ctx.group, { overlap: env?.overlap ?? true }) : null;
  const local = batch / world;
  const x = randn([local, 3, size, size]);
  const y = rand([local, 12]).gt(0.5).float();
  const stepMs: number[] = [];
  const commMs: number[] = [];
  let overlapped = 0;
  model.train();
  for (let s = 0; s < steps + 1; s++) {
    ctx?.group.barrier();
    const t0 = performance.now();
    tidy(() => {
      opt.zeroGrad();
      const loss = weightedAsymmetricLoss(model.forward(x), y, null);
      sync?.beforeBackward();
      loss.backward();
    });
    const comm = sync ? sync.average() : 0;
    opt.step();
    if (s > 0) {
      stepMs.push(performance.now() - t0);
      commMs.push(comm);
      overlapped += sync?.lastOverlapped ?? 0;
    }
  }
  ctx?.group.close();
  sync?.close();
  return { rank: env?.rank ?? 0, stepMs: median(stepMs), commMs: median(commMs), overlapped: overlapped / steps, buckets: sync?.buckets.length ?? 0 };
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function runRanks(world: number, port: number, overlap = true): Promise<WorkerResult[]> {
  const self = fileURLToPath(import.meta.url);
  return Promise.all(Array.from({ length: world }, (_, rank) => new Promise<WorkerResult>((resolve, reject) => {
    const env = world > 1 ? { RANK: String(rank), WORLD_SIZE: String(world), MASTER_PORT: String(port), AUNCE_DIST_TIMEOUT: "600", AUNCE_DIST_OVERLAP: overlap ? "1" : "0" } : {};
    const p = spawn(process.execPath, ["--import", "tsx", self, "--worker", ...process.argv.slice(2)], { env: { ...process.env, AUNCE_NUM_THREADS: "1", ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as WorkerResult) : reject(new Error(`rank ${rank} exited with ${code}`))));
  })));
}

if (process.argv.includes("--worker")) {
  console.log(JSON.stringify(worker()));
} else {
  console.log(`dist: ResNet-18 AU step, global batch ${batch} at ${size}x${size}, median of ${steps} steps; ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`);
  const [one] = await runRanks(1, 0);
  const ips1 = (batch * 1000) / one.stepMs;
  console.log(`  1 process x 1 thread : ${one.stepMs.toFixed(0)} ms/step, ${ips1.toFixed(2)} img/s`);
  for (const overlap of [false, true]) {
    const two = await runRanks(2, await freePort(), overlap);
    const step2 = Math.max(...two.map((r) => r.stepMs));
    const comm2 = Math.max(...two.map((r) => r.commMs));
    const ips2 = (batch * 1000) / step2;
    const how = overlap ? `overlapped (${Math.min(...two.map((r) => r.overlapped)).toFixed(1)} of ${two[0].buckets} buckets launched during backward)` : "after backward";
    console.log(`  2 processes x 1 thread, all-reduce ${how}: ${step2.toFixed(0)} ms/step (slowest rank), ${ips2.toFixed(2)} img/s; ` +
      `average() ${comm2.toFixed(1)} ms = ${((100 * comm2) / step2).toFixed(1)}% of the step; scaling efficiency ${((100 * ips2) / (2 * ips1)).toFixed(0)}%`);
  }
  console.log(`  (scaling efficiency = 2-process img/s / (2 x 1-process img/s)); load after ${loadavg()[0].toFixed(2)}`);
}
