/**
 * Engine benchmark (issue: foundation): ResNet-18 built with our nn API against torchvision's in
 * PyTorch (Debian python3-torch), same process conditions: all cores, the same BLAS (both link
 * Debian's libblas.so.3 -> OpenBLAS), the same model and batch, medians after warm-up.
 *   training step: forward + backward + AdamW, batch 8, 224x224
 *   inference: batch 32, 224x224, eval mode, no grad
 * Both memory layouts (contiguous, channels-last). Prints our time / PyTorch time (goal <= 1.0).
 * Frozen inference (batch 1 and 32): our FrozenResNet against torch.jit.freeze +
 * optimize_for_inference, PyTorch's own folded-batch-norm oneDNN path (bench/peer/resnet18_frozen.py).
 * Env: BENCH_TRAIN_STEPS (default 5), BENCH_INFER_STEPS (default 3).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createResNet } from "../src/models/backbones/resnet.ts";
import { FrozenResNet } from "../src/models/backbones/resnet-frozen.ts";
import { AdamW } from "../src/nn/index.ts";
import { writeBenchResults, type BenchRow } from "./results.ts";
import { crossEntropy, engineInfo, getNumThreads, manualSeed, noGrad, randint, randn, tidy } from "../src/tensor/index.ts";

const TRAIN_STEPS = Number(process.env.BENCH_TRAIN_STEPS ?? 5);
const INFER_STEPS = Number(process.env.BENCH_INFER_STEPS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const yieldLoop = () => new Promise((r) => setImmediate(r));

async function ours(layout: "contiguous" | "channels_last"): Promise<{ train: number; infer: number }> {
  manualSeed(0);
  const model = createResNet("resnet18");
  if (layout === "channels_last") model.toChannelsLast();
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const x = randn([8, 3, 224, 224]).contiguous(layout);
  const target = randint(0, 1000, [8]);
  const times: number[] = [];
  model.train();
  for (let i = 0; i < TRAIN_STEPS + 2; i++) {
    await yieldLoop();
    const t0 = performance.now();
    opt.zeroGrad();
    tidy(() => crossEntropy(model.forward(x), target).backward());
    opt.step();
    if (i >= 2) times.push((performance.now() - t0) / 1000);
  }
  const train = median(times);
  model.eval();
  const xb = randn([32, 3, 224, 224]).contiguous(layout);
  const itimes: number[] = [];
  for (let i = 0; i < INFER_STEPS + 1; i++) {
    await yieldLoop();
    const t0 = performance.now();
    noGrad(() => tidy(() => model.forward(xb)));
    if (i >= 1) itimes.push((performance.now() - t0) / 1000);
  }
  for (const t of [x, target, xb]) t.dispose();
  opt.dispose();
  model.dispose();
  return { train, infer: median(itimes) };
}

/** Frozen inference latency (batch 1) and throughput (batch 32) of FrozenResNet + the fc layer. */
async function oursFrozen(): Promise<{ b1: number; b32: number }> {
  manualSeed(0);
  const model = createResNet("resnet18");
  model.eval();
  const frozen = new FrozenResNet(model);
  const out: Record<string, number> = {};
  for (const [batch, reps] of [[1, INFER_STEPS * 10], [32, INFER_STEPS]]) {
    const x = randn([batch, 3, 224, 224]);
    const times: number[] = [];
    for (let i = 0; i < reps + 3; i++) {
      await yieldLoop();
      const t0 = performance.now();
      noGrad(() => tidy(() => model.fc!.forward(frozen.forwardPooled(x))));
      if (i >= 3) times.push((performance.now() - t0) / 1000);
    }
    out[`b${batch}`] = median(times);
    x.dispose();
  }
  frozen.dispose();
  model.dispose();
  return { b1: out.b1, b32: out.b32 };
}

function peerFrozen(): { b1: number; b32: number } | null {
  const script = fileURLToPath(new URL("./peer/resnet18_frozen.py", import.meta.url));
  if (!existsSync("/usr/bin/python3")) return null;
  const r = spawnSync("/usr/bin/python3", [script, String(getNumThreads()), String(INFER_STEPS)], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { b1: j.b1_s, b32: j.b32_s };
}

function peer(layout: string): { train: number; infer: number } | null {
  const script = fileURLToPath(new URL("./peer/resnet18.py", import.meta.url));
  if (!existsSync("/usr/bin/python3")) return null;
  const r = spawnSync("/usr/bin/python3", [script, String(getNumThreads()), String(TRAIN_STEPS), String(INFER_STEPS), layout], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(`  PyTorch peer unavailable (${(r.stderr || "").trim().split("\n").pop()}); install python3-torch python3-torchvision`);
    return null;
  }
  const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
  return { train: j.train_step_s, infer: j.infer_batch_s };
}

export async function run(): Promise<void> {
  const info = engineInfo();
  console.log(`  engine: libtorch ${info.libtorch}, BLAS ${info.blas}, ${info.threads} threads, oneDNN ${info.mkldnn}, ${info.cpuCapability}; load ${loadavg()[0].toFixed(2)}`);
  console.log("  ResNet-18                         ours        PyTorch     ours/PyTorch");
  const row = (label: string, x: number, y: number | undefined, unit: (v: number) => string) =>
    console.log(`  ${label.padEnd(32)}  ${unit(x).padEnd(10)}  ${y === undefined ? "n/a".padEnd(10) : unit(y).padEnd(10)}  ${y === undefined ? "" : (x / y).toFixed(2)}`);
  // Frozen latency first, from a fresh heap (as the peer's fresh process): measured after the
  // training steps it read 20-40% slower, run to run.
  const f = await oursFrozen();
  const g = peerFrozen();
  const rows: BenchRow[] = [];
  const record = (id: string, benchmark: string, x: number, y: number | undefined, unit: (v: number) => string) =>
    rows.push({ id, benchmark, ours: unit(x), ...(y === undefined ? {} : { pytorch: unit(y), ratio: Number((x / y).toFixed(2)) }), values: { ours_s: x, ...(y === undefined ? {} : { pytorch_s: y }) } });
  for (const layout of ["contiguous", "channels_last"] as const) {
    const a = await ours(layout);
    const b = peer(layout);
    row(`train step b8 (${layout})`, a.train, b?.train, (v) => `${v.toFixed(3)} s`);
    row(`inference b32 (${layout})`, a.infer, b?.infer, (v) => `${(32 / v).toFixed(1)} img/s`);
    const lay = layout === "contiguous" ? "contiguous" : "channels-last";
    record(`engine.resnet18.train.${layout}`, `ResNet-18 training step, batch 8, 224, AdamW (${lay})`, a.train, b?.train, (v) => `${v.toFixed(2)} s`);
    record(`engine.resnet18.infer.${layout}`, `ResNet-18 inference, batch 32 (${lay})`, a.infer, b?.infer, (v) => `${(32 / v).toFixed(1)} img/s`);
  }
  row("frozen inference b1 (latency)", f.b1, g?.b1, (v) => `${(v * 1000).toFixed(1)} ms`);
  row("frozen inference b32", f.b32, g?.b32, (v) => `${(32 / v).toFixed(1)} img/s`);
  record("engine.resnet18.frozen.b1", "ResNet-18 frozen inference (folded BN, oneDNN; vs `torch.jit.optimize_for_inference`), batch 1", f.b1, g?.b1, (v) => `${(v * 1000).toFixed(1)} ms`);
  record("engine.resnet18.frozen.b32", "same, batch 32", f.b32, g?.b32, (v) => `${(32 / v).toFixed(0)} img/s`);
  writeBenchResults("engine", rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
