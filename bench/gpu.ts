/**
 * GPU benchmark: one AUNCE training step at the paper's configuration (Swin-B, batch 32 x 2 views,
 * 224x224, drop-path 0.5, AdamW), ours against PyTorch eager (bench/peer/gpu_step.py, built from
 * scripts/fixtures' reference modules) on the same device, fp32 and bf16 (autocast): median time
 * per step after warm-up (the device synchronised around each step), images/s (both views), peak
 * memory, and the ratio ours/PyTorch (goal <= 1.0). Then the projected time of one BP4D fold's
 * 60 epochs (~98k training frames / 32 per step) from the measured step and the data loader's
 * measured rate (bench/data.ts's loaderRate), naming which of the two bounds it.
 *
 *   node --import tsx bench/gpu.ts [--device cuda:0] [--backbone swin_b] [--batch 32] [--size 224]
 *     [--steps 10] [--warmup 3] [--amp off,bf16] [--workers N] [--loader-batches 20]
 *     [--python python3 | --python none] [--json runs/gpu-bench.json]
 *
 * Rehearsal on a CPU: --device cpu --backbone swin_t --batch 2 --size 64 --steps 2 --warmup 1.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { AuDataset } from "../src/data/dataset.ts";
import { Rng } from "../src/data/rng.ts";
import { aunceLoss } from "../src/losses/index.ts";
import { createAuModel } from "../src/models/registry.ts";
import { AdamW, GradScaler } from "../src/nn/index.ts";
import {
  autocast, checkDevice, cudaEmptyCache, cudaMemory, cudaResetPeakMemory, cudaSynchronize, engineInfo, manualSeed, rand, randn, setCudnn, tidy,
  type Tensor,
} from "../src/tensor/index.ts";
import { resolveConfig, type TrainConfig } from "../src/train/config.ts";
import { modelSpec } from "../src/train/trainer.ts";
import { loaderRate, makeJpegs } from "./data.ts";

/** One side's figures for one precision. */
export interface StepResult {
  /** Median ms per training step (two forward passes, AUNCE loss, backward, AdamW). */
  stepMs: number;
  /** Every timed step, ms. */
  stepsMs: number[];
  /** Images through the network per second: batch x 2 views / step. */
  imagesPerSec: number;
  /** Peak bytes the caching allocator handed out during the timed steps (null on a CPU). */
  peakBytes: number | null;
  /** Loss of the last step (a sanity figure: finite, near log(2B)). */
  loss: number;
}

export interface GpuBenchOptions {
  device: string;
  backbone: string;
  batch: number;
  size: number;
  steps: number;
  warmup: number;
  amp: ("off" | "bf16")[];
  dropPath: number;
  numAus: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The training config the benchmark stands for: the trainer's defaults with the sizes asked for. */
export function benchConfig(o: GpuBenchOptions): TrainConfig {
  return resolveConfig({ dataset: "BP4D", backbone: o.backbone, batch_size: o.batch, crop_size: o.size, drop_path: o.dropPath, device: o.device });
}

/** Times our AUNCE training step as src/train/trainer.ts runs it, at one precision. */
export function timeOurStep(o: GpuBenchOptions, amp: "off" | "bf16"): StepResult {
  const config = benchConfig(o);
  const device = checkDevice(o.device);
  const cuda = device.startsWith("cuda");
  const index = cuda ? Number(device.slice(5)) : 0;
  const sync = () => {
    if (cuda) cudaSynchronize(index);
  };
  if (cuda) setCudnn({ deterministic: false, benchmark: true }); // the trainer's choice without --deterministic
  manualSeed(config.seed);
  const model = createAuModel(modelSpec(config, o.numAus));
  if (cuda) model.toDevice(device);
  const params = model.parameters();
  const opt = new AdamW(params, { lr: config.lr, betas: config.betas, weightDecay: config.weight_decay });
  const scaler = new GradScaler({ enabled: false }); // bf16 needs no loss scaling (as the trainer)
  const withAmp = <T>(fn: () => T): T => (amp === "off" ? fn() : autocast(cuda ? "cuda" : "cpu", "bfloat16", fn));
  const b = o.batch;
  const views = [0, 1].map(() => randn([b, 3, o.size, o.size], { device }));
  const labels = tidy(() => rand([b, o.numAus], { device }).gt(0.5).to("float32"));
  model.train();
  const times: number[] = [];
  let loss = NaN;
  let peakBytes: number | null = null;
  try {
    for (let i = 0; i < o.warmup + o.steps; i++) {
      if (i === o.warmup && cuda) cudaResetPeakMemory(index);
      sync();
      const t0 = performance.now();
      loss = tidy(() => {
        opt.zeroGrad();
        const rng = new Rng(config.seed, i, 0x41554e43);
        const draws = Array.from({ length: o.numAus }, () => rng.next());
        const l: Tensor = withAmp(() => {
          const z1 = model.forward(views[0]).float();
          const z2 = model.forward(views[1]).float();
          return aunceLoss(z1, z2, labels, { temperature: config.temperature, draws });
        });
        const value = l.item();
        scaler.scale(l).backward();
        return value;
      });
      scaler.step(opt, params);
      scaler.update();
      sync();
      if (i >= o.warmup) times.push(performance.now() - t0);
      if (!Number.isFinite(loss)) throw new Error(`our ${amp} step ${i} gave a non-finite loss (${loss})`);
    }
    if (cuda) peakBytes = cudaMemory(index).peakAllocated;
  } finally {
    for (const t of [...views, labels]) t.dispose();
    opt.dispose();
    model.dispose();
    if (cuda) cudaEmptyCache();
  }
  const stepMs = median(times);
  return { stepMs, stepsMs: times, imagesPerSec: (2 * b * 1000) / stepMs, peakBytes, loss };
}

/** Runs the PyTorch peer (bench/peer/gpu_step.py) with the same options; returns its torch version and results. */
export function runPeer(python: string, o: GpuBenchOptions, amp: "off" | "bf16"): { torch: string; cuda: string | null; result: StepResult } {
  const script = fileURLToPath(new URL("./peer/gpu_step.py", import.meta.url));
  const args = [script, "--device", o.device, "--backbone", o.backbone, "--batch", String(o.batch), "--size", String(o.size),
    "--steps", String(o.steps), "--warmup", String(o.warmup), "--amp", amp, "--drop-path", String(o.dropPath), "--aus", String(o.numAus)];
  const r = spawnSync(python, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.error) throw new Error(`cannot run ${python}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`PyTorch peer (${amp}) failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  const j = JSON.parse(last) as { torch: string; cuda: string | null; step_ms: number; steps_ms: number[]; images_per_sec: number; peak_bytes: number | null; loss: number };
  return { torch: j.torch, cuda: j.cuda, result: { stepMs: j.step_ms, stepsMs: j.steps_ms, imagesPerSec: j.images_per_sec, peakBytes: j.peak_bytes, loss: j.loss } };
}

/** Projected wall time of `epochs` epochs of `frames` training frames: each step waits for the slower of the device and the loader. */
export function projectFold(stepMs: number, loaderImagesPerSec: number, batch: number, frames = 98_000, epochs = 60) {
  const stepsPerEpoch = Math.floor(frames / batch);
  const loaderMs = (1000 * batch) / loaderImagesPerSec;
  const perStep = Math.max(stepMs, loaderMs);
  return { stepsPerEpoch, epochs, loaderMsPerStep: loaderMs, boundBy: stepMs >= loaderMs ? "training step" : "data loader", hours: (perStep * stepsPerEpoch * epochs) / 3.6e6 };
}

const mib = (b: number | null) => (b === null ? "-" : `${(b / 2 ** 20).toFixed(0)} MiB`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      device: { type: "string", default: "cuda:0" }, backbone: { type: "string", default: "swin_b" },
      batch: { type: "string", default: "32" }, size: { type: "string", default: "224" }, steps: { type: "string", default: "10" },
      warmup: { type: "string", default: "3" }, amp: { type: "string", default: "off,bf16" }, "drop-path": { type: "string", default: "0.5" },
      workers: { type: "string", default: String(availableParallelism()) }, "loader-batches": { type: "string", default: "20" },
      python: { type: "string", default: "python3" }, json: { type: "string", default: "runs/gpu-bench.json" },
    },
  });
  const num = (k: keyof typeof values, ok: (v: number) => boolean) => {
    const v = Number(values[k]);
    if (!ok(v)) throw new Error(`--${k}: bad value '${values[k]}'`);
    return v;
  };
  const amps = String(values.amp).split(",").map((s) => s.trim());
  for (const a of amps) if (a !== "off" && a !== "bf16") throw new Error(`--amp: expected off and/or bf16, got '${a}'`);
  const o: GpuBenchOptions = {
    device: checkDevice(String(values.device)), backbone: String(values.backbone), batch: num("batch", (v) => Number.isInteger(v) && v >= 2),
    size: num("size", (v) => Number.isInteger(v) && v >= 32), steps: num("steps", (v) => Number.isInteger(v) && v >= 1),
    warmup: num("warmup", (v) => Number.isInteger(v) && v >= 0), amp: amps as ("off" | "bf16")[], dropPath: num("drop-path", (v) => v >= 0 && v < 1), numAus: 12,
  };
  const workers = num("workers", (v) => Number.isInteger(v) && v >= 1);
  const loaderBatches = num("loader-batches", (v) => Number.isInteger(v) && v >= 1);
  const info = engineInfo();
  console.log(`# gpu bench: ${o.backbone}, batch ${o.batch} x 2 views, ${o.size}x${o.size}, drop-path ${o.dropPath}, AdamW; median of ${o.steps} steps after ${o.warmup} warm-up`);
  console.log(`# device ${o.device}${info.gpu0 ? ` (${info.gpu0})` : ""}; ours libtorch ${info.libtorch} (${info.engine}); ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);

  const rows: Record<string, { ours: StepResult; peer: StepResult | null; peerError: string | null }> = {};
  let peerTorch: string | null = null;
  for (const amp of o.amp) {
    const ours = timeOurStep(o, amp);
    let peer: StepResult | null = null;
    let peerError: string | null = values.python === "none" ? "not run (--python none)" : null;
    if (!peerError) {
      try {
        const p = runPeer(String(values.python), o, amp);
        peerTorch = `${p.torch}${p.cuda ? ` (CUDA ${p.cuda})` : ""}`;
        peer = p.result;
      } catch (err) {
        peerError = err instanceof Error ? err.message : String(err);
        console.log(`# peer ${amp}: ${peerError}`);
      }
    }
    rows[amp] = { ours, peer, peerError };
  }
  if (peerTorch) console.log(`# peer: PyTorch ${peerTorch} eager, scripts/fixtures reference modules`);

  // Loader rate: synthetic 256x256 JPEGs through the training pipeline (decode, two augmented 224 views).
  const dir = await makeJpegs(o.batch * 8);
  let loader: { batchesPerSec: number; imagesPerSec: number };
  try {
    const images = Array.from({ length: o.batch * 8 }, (_, i) => `${i}.jpg`);
    const ds = new AuDataset({ dataset: "BP4D", imgRoot: dir, images, labels: new Int8Array(images.length * 12), numAus: 12 });
    loader = await loaderRate(ds, { workers, batches: loaderBatches, batchSize: o.batch });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`\n${"precision".padEnd(10)}${pad("ours ms", 10)}${pad("img/s", 9)}${pad("peak", 11)}${pad("torch ms", 10)}${pad("img/s", 9)}${pad("peak", 11)}${pad("ratio", 8)}  (goal <= 1.0)`);
  for (const [amp, { ours, peer }] of Object.entries(rows)) {
    console.log(`${(amp === "off" ? "fp32" : amp).padEnd(10)}${pad(ours.stepMs.toFixed(1), 10)}${pad(ours.imagesPerSec.toFixed(1), 9)}${pad(mib(ours.peakBytes), 11)}` +
      (peer ? `${pad(peer.stepMs.toFixed(1), 10)}${pad(peer.imagesPerSec.toFixed(1), 9)}${pad(mib(peer.peakBytes), 11)}${pad((ours.stepMs / peer.stepMs).toFixed(2), 8)}` : `${pad("-", 10)}${pad("-", 9)}${pad("-", 11)}${pad("-", 8)}`));
  }
  console.log(`loader (${workers} workers, batch ${o.batch} x 2 views, 224 crops): ${loader.imagesPerSec.toFixed(1)} images/s = ${((1000 * o.batch) / loader.imagesPerSec).toFixed(1)} ms per batch`);
  const projections: Record<string, ReturnType<typeof projectFold>> = {};
  for (const [amp, { ours }] of Object.entries(rows)) {
    const p = projectFold(ours.stepMs, loader.imagesPerSec, o.batch);
    projections[amp] = p;
    console.log(`projected BP4D fold, ${p.epochs} epochs x ${p.stepsPerEpoch} steps (${amp === "off" ? "fp32" : amp}): ${p.hours.toFixed(1)} h, bound by the ${p.boundBy}`);
  }
  if (o.backbone !== "swin_b" || o.batch !== 32 || o.size !== 224) console.log("# not the paper's configuration (swin_b, batch 32, 224): a rehearsal, not a result");

  const file = resolve(String(values.json));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({
    options: o, workers, engine: info, peerTorch, loadavg: loadavg(), results: rows, loader, projections, date: new Date().toISOString(),
  }, null, 2) + "\n");
  console.log(`# results: ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    await main();
  } catch (err) {
    console.error(`gpu bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
