/**
 * Bounded memory over a long training run: 10,000 AUNCE pre-training steps through the trainer
 * `aunce train` runs (`train()` from src/train/trainer.ts: data loader with its worker thread, two
 * augmented views, the AUNCE loss, AdamW, the JSONL log, a checkpoint at every epoch end), on a
 * small SynthAU dataset made for the run, sampling RSS, the JS heap and the live tensor count
 * every few steps.
 *
 *   node --import tsx bench/memory-train.ts [--steps 10000] [--sample-every 100] [--warmup 2500]
 *     [--backbone resnet_tiny] [--batch 4] [--crop 48] [--workers 1] [--threads N] [--bound 32]
 *     [--out docs/results/memory-train.json]
 *
 * Data: SynthAU, BP4D style, 6 subjects x 1 sequence x 24 frames at 64x64 (seed 5), prepared as
 * `aunce prepare` does; fold 1 gives 23 steps per epoch at batch 4, so ~435 epochs (and
 * end-of-epoch checkpoints) for 10,000 steps.
 *
 * Warm-up: glibc raises its mmap threshold dynamically as large blocks are freed, so RSS climbs
 * over the first ~2,000 steps and then stays (the project measured ~80 MiB on a small conv net;
 * with MALLOC_MMAP_THRESHOLD_=65536 in the environment the climb disappears): allocator
 * behaviour, not a leak. The default warm-up (2,500 steps) covers it; the verdict judges the
 * rest: RSS grows by less than `--bound` MiB, end minus start and along the least-squares trend.
 * Ctrl-C stops the run at the next step and the report covers the steps done. Exit code 1 on FAIL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readBp4d, writePrepared } from "../src/data/index.ts";
import { generateSynthDataset } from "../src/synth/index.ts";
import { liveTensors, setNumThreads } from "../src/tensor/index.ts";
import { resolveConfig } from "../src/train/config.ts";
import { train } from "../src/train/trainer.ts";
import { logSample, machine, printSamples, printSummary, sampleMemory, summarize, writeResult, type MemorySample } from "./memory-report.ts";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "10000" },
    "sample-every": { type: "string", default: "100" },
    warmup: { type: "string", default: "2500" },
    backbone: { type: "string", default: "resnet_tiny" },
    batch: { type: "string", default: "4" },
    crop: { type: "string", default: "48" },
    workers: { type: "string", default: "1" },
    threads: { type: "string" },
    bound: { type: "string", default: "32" },
    out: { type: "string", default: new URL("../docs/results/memory-train.json", import.meta.url).pathname },
  },
});
const steps = Number(values.steps);
const sampleEvery = Number(values["sample-every"]);
const warmup = Number(values.warmup);
const bound = Number(values.bound);
for (const [k, v] of [["steps", steps], ["sample-every", sampleEvery]] as const) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${k}: expected a whole number > 0`);
}
if (!(warmup >= 0)) throw new Error("--warmup: expected a number >= 0");
if (!(bound > 0)) throw new Error("--bound: expected a positive number");
if (values.threads) setNumThreads(Number(values.threads));

const dir = mkdtempSync(join(tmpdir(), "aunce-bench-memory-train-"));
try {
  await generateSynthDataset({ style: "bp4d", subjects: 6, sequences: 1, frames: 24, size: 64, seed: 5, out: join(dir, "raw"), workers: 0 });
  const prepared = join(dir, "prepared");
  writePrepared(readBp4d(join(dir, "raw")), prepared);
  const config = resolveConfig({
    dataset: "BP4D", data_root: prepared, fold: 1, out_dir: join(dir, "runs"), exp_name: "memory", backbone: values.backbone,
    batch_size: Number(values.batch), crop_size: Number(values.crop), workers: Number(values.workers),
    lr: 1e-4, epochs: steps, checkpoint_every: 0, max_steps: steps, seed: 0,
  });

  const samples: MemorySample[] = [];
  const t0 = performance.now();
  const take = (step: number) => {
    samples.push(sampleMemory((performance.now() - t0) / 1000, step));
    logSample(samples[samples.length - 1], "step");
  };
  // Ctrl-C: the trainer stops at the next step (saving, as `aunce train` does); the report covers the steps done.
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  const tensorsBefore = liveTensors();
  const before = machine();
  let stepsPerEpoch = 0;
  let lastLoss = NaN;
  console.log(`memory: ${steps} AUNCE training steps (${values.backbone}, batch ${config.batch_size} x 2 views at ${config.crop_size}px, ${config.workers} loader worker(s)), ` +
    `sampling every ${sampleEvery} steps; ${before.cpu}; load average ${(before.loadAverage as number[]).join(" ")}; MALLOC_MMAP_THRESHOLD_=${before.mallocMmapThreshold ?? "(unset)"}`);
  take(0);
  const result = await train(config, {
    signal: stop.signal,
    events: {
      start: (i) => { stepsPerEpoch = i.stepsPerEpoch; },
      step: (s) => {
        lastLoss = s.loss;
        if (s.step % sampleEvery === 0) take(s.step);
      },
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const tensorsAfter = liveTensors();
  if (result.steps !== steps) console.log(`stopped early (${result.stopped}) after ${result.steps} of ${steps} steps`);
  const summary = summarize(samples, warmup, bound);
  printSamples(samples, "steps", warmup);
  printSummary(summary, "steps");
  console.log(`${result.steps} steps in ${seconds.toFixed(0)} s (${((1000 * seconds) / result.steps).toFixed(1)} ms/step), ${stepsPerEpoch} steps/epoch, last loss ${lastLoss.toFixed(4)}; ` +
    `live tensors ${tensorsBefore} before, ${tensorsAfter} after the run`);
  const after = machine();
  writeResult(values.out!, {
    bench: "memory-train",
    date: new Date().toISOString(),
    trainer: "train() from src/train/trainer.ts (what `aunce train` runs)",
    data: "SynthAU bp4d style, 6 subjects x 1 sequence x 24 frames, 64x64, seed 5; fold 1",
    config: { backbone: config.backbone, batch_size: config.batch_size, crop_size: config.crop_size, workers: config.workers, lr: config.lr, seed: config.seed, max_steps: steps, stepsPerEpoch },
    stepsDone: result.steps,
    stoppedEarly: result.steps < steps,
    seconds: Math.round(seconds),
    msPerStep: Math.round((10000 * seconds) / result.steps) / 10,
    lastLoss,
    liveTensorsBefore: tensorsBefore,
    liveTensorsAfter: tensorsAfter,
    sampleEverySteps: sampleEvery,
    machineBefore: before,
    loadAverageAfter: after.loadAverage,
    summary,
    samples,
  });
  if (!summary.pass) process.exitCode = 1;
} catch (err) {
  console.error(`memory-train: ${(err as Error).message}`); // one line: these are option or run-length mistakes
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
