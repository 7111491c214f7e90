/**
 * The timing probe behind `--plan`: a few training steps of each method at the study's backbone,
 * crop and batch on a small SynthAU set of the study's image size, two feature passes of different
 * lengths and one short linear evaluation, turned into per-unit costs (seconds per step, per
 * evaluated frame plus a fixed cost per pass, per frame and linear-head epoch) and then into an
 * estimate per run. Data loading is included (the real
 * loader runs); the machine's load is recorded beside the numbers, since it moves them.
 * The first training steps of a process are slow (measured on 2 cores with the face-api expression
 * backbone: ~1.2-1.6 s per AUNCE step for about 6 steps, then ~0.6 s; the runs' own logs: 0.55 s), so
 * an unmeasured AUNCE warm-up run goes first; without it the probe estimated AUNCE runs at twice
 * their time.
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { AuDataset, foldParts, readBp4d, readPreparedSource, writePrepared } from "../../src/data/index.ts";
import { extractFeatures } from "../../src/eval/features.ts";
import { runLinearEval } from "../../src/eval/pipeline.ts";
import { loadModelCheckpoint } from "../../src/models/io.ts";
import { generateSynthDataset, subjectNames } from "../../src/synth/index.ts";
import { deviceOf, resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/trainer.ts";
import { runState, type RunRecord } from "./run.ts";
import { studyPaths, type StudyDesign, type StudyRun } from "./design.ts";

/** Linear evaluation's batch (its default). */
const LINEAR_BATCH = 256;

export interface ProbeResult {
  /** Seconds per training step: the median over the probe's steps, after the warm-up run and each run's first step. */
  stepSeconds: { aunce: number; supervised: number };
  /** Seconds per frame of a feature pass (evaluation), and the fixed seconds of one pass (loader start-up). */
  evalSecondsPerFrame: number;
  evalSecondsFixed: number;
  /**
   * Seconds of linear evaluation per batch of 256 training frames and epoch (the heads' step plus
   * its share of the per-epoch validation and test scoring, which grow with the frames too).
   */
  headSecondsPerBatch: number;
  steps: number;
  /** Unmeasured AUNCE steps run first, so that the process's first-steps cost is not measured. */
  warmupSteps: number;
  load: { start: number; end: number; cores: number };
  seconds: number;
  date: string;
}

/** Runs the probe in <out>/probe (its data is kept for the next probe; its runs are redone). */
export async function timingProbe(d: StudyDesign, o: { root?: string; steps?: number; warmupSteps?: number; workers?: number; log?: (l: string) => void } = {}): Promise<ProbeResult> {
  const t0 = performance.now();
  const load0 = loadavg()[0];
  const steps = o.steps ?? 8;
  const warmupSteps = o.warmupSteps ?? 8;
  const shared = resolveConfig({ ...d.train, dataset: "BP4D" });
  const batch = shared.batch_size;
  const device = deviceOf(shared);
  const dir = join(studyPaths(d, o.root).out, "probe");
  // Two subjects per fold part; enough frames for steps + 1 batches of fold 1's four training subjects
  // (the warm-up run goes on into further epochs, at least one step each, when it needs more).
  const frames = Math.max(4, Math.ceil(((steps + 1) * batch) / 4));
  const synth = join(dir, `synth-${frames}`);
  const prepared = join(dir, `prepared-${frames}`);
  if (!existsSync(join(prepared, "summary.json"))) {
    o.log?.(`probe data: 6 subjects x ${frames} frames at ${d.data.size} px`);
    await generateSynthDataset({ style: "bp4d", subjects: 6, sequences: 1, frames, size: d.data.size, seed: 1, out: synth, force: true, ...(o.workers !== undefined ? { workers: o.workers } : {}) });
    writePrepared(readBp4d(synth), prepared);
  }
  const runs = join(dir, "runs");
  rmSync(runs, { recursive: true, force: true });
  const workers = o.workers ?? Number(d.train.workers ?? 0);
  const stepSeconds = { aunce: 0, supervised: 0 };
  const common = { ...d.train, dataset: "BP4D", data_root: prepared, fold: 1 as const, out_dir: runs, workers, checkpoint_every: 0 };
  if (warmupSteps > 0) {
    o.log?.(`probe: ${warmupSteps} AUNCE warm-up steps (not measured)`);
    await train(resolveConfig({ ...common, epochs: warmupSteps, max_steps: warmupSteps, exp_name: "warmup" }));
  }
  for (const method of ["aunce", "supervised"] as const) {
    o.log?.(`probe: ${steps + 1} ${method} steps`);
    const times: number[] = [];
    await train(resolveConfig({ ...common, epochs: 1, max_steps: steps + 1, exp_name: method, supervised: method === "supervised" }), {
      events: { step: () => times.push(performance.now()) },
    });
    const gaps = times.slice(1).map((t, i) => (t - times[i]) / 1000);
    // The median: a step slowed by another process's burst on a shared machine does not drag it.
    gaps.sort((a, b) => a - b);
    stepSeconds[method] = gaps.length % 2 ? gaps[(gaps.length - 1) / 2] : (gaps[gaps.length / 2 - 1] + gaps[gaps.length / 2]) / 2;
  }
  o.log?.("probe: feature passes and a 5-epoch linear evaluation");
  // Two feature passes of different lengths separate the per-frame cost from the fixed one (loader start-up).
  const { model } = await loadModelCheckpoint(join(runs, "supervised", "last.safetensors"));
  if (device !== "cpu") model.toDevice(device);
  const pass = async (split: "train" | "test") => {
    const ds = AuDataset.open(prepared, 1, split);
    const t = performance.now();
    await extractFeatures(model, ds, { cropSize: shared.crop_size, workers: o.workers, device });
    return { frames: ds.length, seconds: (performance.now() - t) / 1000 };
  };
  let long: { frames: number; seconds: number }, short: { frames: number; seconds: number };
  try {
    await pass("test"); // warm-up
    long = await pass("train");
    short = await pass("test");
  } finally {
    model.dispose();
  }
  const evalSecondsPerFrame = Math.max(0, (long.seconds - short.seconds) / (long.frames - short.frames));
  const evalSecondsFixed = Math.max(0, short.seconds - short.frames * evalSecondsPerFrame);
  const linEpochs = 5;
  const t = performance.now();
  await runLinearEval(join(runs, "aunce", "last.safetensors"), { epochs: linEpochs, workers: o.workers, device, out: join(runs, "aunce", "eval") });
  const linSeconds = (performance.now() - t) / 1000;
  const headSecondsPerBatch = Math.max(0, linSeconds - 3 * evalSecondsFixed - (long.frames + short.frames) * evalSecondsPerFrame) / (Math.ceil(long.frames / LINEAR_BATCH) * linEpochs);
  return {
    stepSeconds, evalSecondsPerFrame, evalSecondsFixed, headSecondsPerBatch, steps, warmupSteps,
    load: { start: load0, end: loadavg()[0], cores: availableParallelism() }, seconds: (performance.now() - t0) / 1000, date: new Date().toISOString(),
  };
}

/** Training and test frames of a fold: counted from the prepared lists when they exist, else from the design. */
export function foldFrames(d: StudyDesign, fold: 1 | 2 | 3, root?: string): { train: number; test: number; counted: boolean } {
  const clean = studyPaths(d, root).prepared(0);
  if (existsSync(join(clean, "summary.json"))) {
    return { train: readPreparedSource(clean, fold, "train").images.length, test: readPreparedSource(clean, fold, "test").images.length, counted: true };
  }
  const parts = foldParts(fold);
  const perSubject = d.data.sequences * d.data.frames;
  const subjects = subjectNames("bp4d", d.data.subjects);
  const inParts = (ps: number[]) => subjects.filter((s) => ps.includes(s.part)).length * perSubject;
  return { train: inParts(parts.train), test: inParts([parts.test]), counted: false };
}

/** One row of the plan. */
export interface PlanRow {
  run: StudyRun;
  status: "done" | "resume" | "evaluate" | "new";
  steps: number;
  imagesSeen: number;
  /** Estimated seconds still to spend on it (0 when done); for a done run, `spent` holds what it took. */
  seconds: number;
  spent?: number;
}

/** The plan: every run with its status and estimated remaining time (from the probe). */
export function planTimes(d: StudyDesign, runs: StudyRun[], probe: ProbeResult, root?: string): PlanRow[] {
  return runs.map((run) => {
    const f = foldFrames(d, run.fold, root);
    const batch = resolveConfig({ ...d.train, dataset: "BP4D" }).batch_size;
    const perEpoch = Math.floor(f.train / batch);
    const steps = d.epochs * perEpoch;
    const st = runState(d, run, root);
    if (st.state === "done") {
      const r: RunRecord = st.record;
      return { run, status: "done", steps: r.steps, imagesSeen: r.imagesSeen, seconds: 0, spent: r.trainSeconds + r.evalSeconds };
    }
    const left = st.state === "resume" ? Math.max(0, steps - st.step) : st.state === "evaluate" ? 0 : steps;
    const stepCost = run.arm.method === "aunce" ? probe.stepSeconds.aunce : probe.stepSeconds.supervised;
    const evalCost = run.arm.method === "aunce"
      ? 3 * probe.evalSecondsFixed + (f.train + f.test) * probe.evalSecondsPerFrame + Math.ceil(f.train / LINEAR_BATCH) * d.linear_eval.epochs * probe.headSecondsPerBatch
      : probe.evalSecondsFixed + f.test * probe.evalSecondsPerFrame;
    return { run, status: st.state, steps, imagesSeen: steps * batch, seconds: left * stepCost + evalCost };
  });
}

/** "2 h 05 min", "14 min", "40 s". */
export function duration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/** The plan as a Markdown table with the total. */
export function formatPlan(d: StudyDesign, rows: PlanRow[], probe: ProbeResult): string {
  const shared = resolveConfig({ ...d.train, dataset: "BP4D" });
  const lines = [
    `Timing probe (${probe.date}, medians of ${probe.steps} steps after ${probe.warmupSteps} warm-up steps): ${probe.stepSeconds.aunce.toFixed(3)} s per AUNCE step (2 views), ${probe.stepSeconds.supervised.toFixed(3)} s per supervised step, ` +
      `${(1000 * probe.evalSecondsPerFrame).toFixed(1)} ms per evaluated frame (+ ${probe.evalSecondsFixed.toFixed(1)} s per pass), ${probe.headSecondsPerBatch.toFixed(2)} s per linear-evaluation batch of ${LINEAR_BATCH}; ` +
      `batch ${shared.batch_size}, ${shared.backbone}, crop ${shared.crop_size}${shared.device ? `, ${shared.device}` : ""}; 1-min load ${probe.load.start.toFixed(1)} → ${probe.load.end.toFixed(1)} on ${probe.load.cores} cores.`,
    "",
    "| run | arm | noise | fold | status | steps | images seen | estimated time left |",
    "|---|---|---:|---:|---|---:|---:|---:|",
    ...rows.map((r) => `| ${r.run.name} | ${r.run.arm.label} | ${Math.round(100 * r.run.noise)}% | ${r.run.fold} | ${r.status}${r.spent !== undefined ? ` (took ${duration(r.spent)})` : ""} | ${r.steps} | ${r.imagesSeen} | ${duration(r.seconds)} |`),
    "",
    `Total left: ${duration(rows.reduce((a, r) => a + r.seconds, 0))} for ${rows.filter((r) => r.status !== "done").length} of ${rows.length} runs (runs one after another; each uses all cores).`,
  ];
  return lines.join("\n");
}
