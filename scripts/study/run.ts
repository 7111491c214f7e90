/**
 * Executes a study's runs, resumably: the data (SynthAU -> prepare -> one noisy copy per noise
 * level) is made once; each run lives in <out>/runs/<arm>-noiseNN-foldK/ (the trainer's run folder:
 * config.json, log.jsonl, last.safetensors) with its evaluation in eval/ (metrics.json, report.md,
 * predictions.json) and, once everything is written, study-run.json. A run with study-run.json is
 * skipped; one with a checkpoint but no "done" in its log resumes training exactly where it stopped;
 * one trained but not evaluated is evaluated.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { readBp4d, writeNoisyPrepared, writePrepared } from "../../src/data/index.ts";
import { runEvaluate, runLinearEval } from "../../src/eval/pipeline.ts";
import { readPredictions, type TestPredictions } from "../../src/eval/predictions.ts";
import { generateSynthDataset } from "../../src/synth/index.ts";
import { deviceOf, resolveConfig, type TrainConfig } from "../../src/train/config.ts";
import { demoEngine, engineLabel } from "../../src/eval/demo-summary.ts";
import { engineInfo } from "../../src/tensor/index.ts";
import { train, type TrainEvents } from "../../src/train/trainer.ts";
import { runName, studyPaths, type StudyDesign, type StudyRun } from "./design.ts";

/** What study-run.json holds: the run's identity, recipe, cost and headline scores. */
export interface RunRecord {
  name: string;
  arm: string;
  method: "aunce" | "supervised";
  init: string | null;
  noise: number;
  fold: number;
  config: TrainConfig;
  steps: number;
  /** Training images seen (steps x batch; an AUNCE image counts once for its two views). */
  imagesSeen: number;
  /** Wall seconds of training (summed over resumed sessions, from the log) and of evaluation. */
  trainSeconds: number;
  evalSeconds: number;
  /** 1-min load average when the last session started and ended, and the cores. */
  load: { start: number; end: number; cores: number };
  /** What it ran on: the engine ("libtorch 2.13.0, MKL, 2 threads, AVX2") and the device. */
  engine: string;
  device: string;
  finished: string;
  meanF1: number;
  meanAuc: number;
  /** The evaluation's files, relative to the run folder. */
  metrics: string;
  predictions: string;
}

/** Makes the SynthAU data, the prepared clean folder and one noisy copy per noise level (skipping what exists). */
export async function prepareData(d: StudyDesign, o: { root?: string; log?: (line: string) => void; workers?: number } = {}): Promise<void> {
  const p = studyPaths(d, o.root);
  const log = o.log ?? (() => undefined);
  if (!existsSync(join(p.synth, "synth.json"))) {
    log(`SynthAU: ${d.data.subjects} subjects x ${d.data.sequences} sequences x ${d.data.frames} frames at ${d.data.size} px -> ${p.synth}`);
    await generateSynthDataset({
      style: d.data.style, subjects: d.data.subjects, sequences: d.data.sequences, frames: d.data.frames, size: d.data.size, seed: d.data.seed,
      out: p.synth, force: true, ...(d.data.not_coded_rate !== undefined ? { notCodedRate: d.data.not_coded_rate } : {}), ...(o.workers !== undefined ? { workers: o.workers } : {}),
    });
  }
  const clean = p.prepared(0);
  if (!existsSync(join(clean, "summary.json"))) {
    log(`prepare bp4d -> ${clean}`);
    const tmp = `${clean}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    writePrepared(readBp4d(p.synth), tmp);
    rmSync(clean, { recursive: true, force: true });
    renameSync(tmp, clean);
  }
  for (const r of d.noise) {
    if (r === 0 || existsSync(join(p.prepared(r), "summary.json"))) continue;
    log(`${Math.round(100 * r)}% symmetric noise on the training labels -> ${p.prepared(r)}`);
    writeNoisyPrepared(clean, p.prepared(r), r, d.noise_seed);
  }
}

/** The training config of a run. */
export function runConfig(d: StudyDesign, run: StudyRun, root?: string): TrainConfig {
  const p = studyPaths(d, root);
  const init = run.arm.init ? join(p.run(runName(run.arm.init, run.noise, run.fold)), "last.safetensors") : null;
  return resolveConfig({
    ...d.train, ...run.arm.set, dataset: "BP4D", data_root: p.prepared(run.noise), fold: run.fold, epochs: d.epochs,
    exp_name: run.name, out_dir: p.runs, supervised: run.arm.method === "supervised", init_from: init,
  });
}

/** The state of a run on disk. */
export type RunState = { state: "done"; record: RunRecord } | { state: "evaluate" } | { state: "resume"; step: number } | { state: "new" };

function readLog(dir: string): Record<string, unknown>[] {
  const f = join(dir, "log.jsonl");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8").split("\n").filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return []; // a torn last line of a killed run
    }
  });
}

/** Where a run stands: finished, trained but not evaluated, interrupted (resume from its checkpoint) or not started. */
export function runState(d: StudyDesign, run: StudyRun, root?: string): RunState {
  const dir = studyPaths(d, root).run(run.name);
  if (existsSync(join(dir, "study-run.json"))) return { state: "done", record: JSON.parse(readFileSync(join(dir, "study-run.json"), "utf8")) as RunRecord };
  if (!existsSync(join(dir, "last.safetensors"))) return { state: "new" };
  const log = readLog(dir);
  if (log.some((e) => e.event === "done")) return { state: "evaluate" };
  const ck = log.filter((e) => e.event === "checkpoint").at(-1);
  return { state: "resume", step: Number(ck?.step ?? 0) };
}

/** Wall seconds of training from a log: each session from its start/resume event to its last event. */
export function trainSecondsFromLog(events: Record<string, unknown>[]): number {
  let total = 0;
  let begin: number | null = null;
  let last: number | null = null;
  for (const e of events) {
    const t = Date.parse(String(e.time));
    if (!Number.isFinite(t)) continue;
    if (e.event === "start" || e.event === "resume") {
      if (begin !== null && last !== null) total += last - begin;
      begin = t;
    }
    last = t;
  }
  if (begin !== null && last !== null) total += last - begin;
  return total / 1000;
}

/** Options of runStudy / executeRun. */
export interface ExecuteOptions {
  root?: string;
  /** Data-loading threads of training and evaluation (default: one per core). */
  workers?: number;
  log?: (line: string) => void;
  /** Training events of the run in progress (a progress bar). */
  events?: TrainEvents;
  /** Stops the run in progress at its next step, saving a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
}

/** Trains (or resumes) and evaluates one run; returns its record, or null when interrupted. */
export async function executeRun(d: StudyDesign, run: StudyRun, o: ExecuteOptions = {}): Promise<RunRecord | null> {
  const p = studyPaths(d, o.root);
  const dir = p.run(run.name);
  const state = runState(d, run, o.root);
  if (state.state === "done") return state.record;
  const log = o.log ?? (() => undefined);
  const cfg = runConfig(d, run, o.root);
  if (cfg.init_from && !existsSync(join(p.run(runName(run.arm.init!, run.noise, run.fold)), "study-run.json"))) {
    throw new Error(`${run.name} starts from the encoder of ${runName(run.arm.init!, run.noise, run.fold)}, which has not finished`);
  }
  const loadStart = loadavg()[0];
  const workers = o.workers ?? cfg.workers;
  if (state.state !== "evaluate") {
    log(state.state === "resume" ? `${run.name}: resuming from step ${state.step}` : `${run.name}: training`);
    let r: Awaited<ReturnType<typeof train>> | null = null;
    try {
      r = state.state === "resume"
        ? await train({ out_dir: cfg.out_dir, exp_name: cfg.exp_name, workers, device: cfg.device }, { resume: true, events: o.events, signal: o.signal })
        : await train({ ...cfg, workers }, { events: o.events, signal: o.signal });
    } catch (err) {
      // Killed after the last epoch's checkpoint but before the log's "done": nothing left to train.
      if (!(state.state === "resume" && err instanceof Error && /has already trained/.test(err.message))) throw err;
    }
    if (r?.stopped === "interrupted") {
      log(`${run.name}: interrupted at step ${r.steps}; rerun the study to resume it`);
      return null;
    }
  }
  const ckpt = join(dir, "last.safetensors");
  const evalDir = join(dir, "eval");
  log(`${run.name}: ${run.arm.method === "aunce" ? "linear evaluation" : "evaluation"}`);
  const t0 = performance.now();
  const ev = run.arm.method === "aunce"
    ? await runLinearEval(ckpt, { epochs: d.linear_eval.epochs, workers: o.workers, device: deviceOf(cfg), out: evalDir, predictions: true })
    : await runEvaluate(ckpt, { workers: o.workers, device: deviceOf(cfg), out: evalDir, predictions: true });
  const metrics = "result" in ev ? ev.result.selected.test : ev.metrics;
  const events = readLog(dir);
  const steps = Number(events.filter((e) => e.event === "checkpoint").at(-1)?.step ?? 0);
  const record: RunRecord = {
    name: run.name, arm: run.arm.id, method: run.arm.method, init: run.arm.init ?? null, noise: run.noise, fold: run.fold, config: { ...cfg, workers },
    steps, imagesSeen: steps * cfg.batch_size, trainSeconds: trainSecondsFromLog(events), evalSeconds: (performance.now() - t0) / 1000,
    load: { start: loadStart, end: loadavg()[0], cores: availableParallelism() }, engine: engineLabel(demoEngine(engineInfo())), device: deviceOf(cfg), finished: new Date().toISOString(),
    meanF1: metrics.meanF1, meanAuc: metrics.meanAuc, metrics: "eval/metrics.json", predictions: "eval/predictions.json",
  };
  writeFileSync(join(dir, "study-run.json.partial"), JSON.stringify(record, null, 2) + "\n");
  renameSync(join(dir, "study-run.json.partial"), join(dir, "study-run.json"));
  log(`${run.name}: mean F1 ${(100 * record.meanF1).toFixed(1)}, ROC-AUC ${(100 * record.meanAuc).toFixed(1)} (${record.trainSeconds.toFixed(0)} s training, ${record.evalSeconds.toFixed(0)} s evaluation)`);
  return record;
}

/** The predictions of a finished run. */
export function readRunPredictions(d: StudyDesign, record: RunRecord, root?: string): TestPredictions {
  return readPredictions(join(studyPaths(d, root).run(record.name), record.predictions));
}
