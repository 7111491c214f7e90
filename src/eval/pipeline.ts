/**
 * The evaluation commands' work, callable from the CLI and the demo: load a checkpoint, open the
 * fold it was trained on, evaluate, write the report.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AuDataset, ausOf } from "../data/index.ts";
import { checkDevice } from "../tensor/index.ts";
import { loadModelCheckpoint } from "../models/io.ts";
import type { TrainConfig } from "../train/config.ts";
import { dataSource } from "../train/trainer.ts";
import { evaluateScoreModel, writeReport } from "./evaluate.ts";
import { linearEval, type LinearEvalResult } from "./linear-eval.ts";
import type { Metrics } from "./metrics.ts";
import { f1Table, meanOverFolds } from "./report.ts";
import { subjectOf } from "./features.ts";
import { makePredictions, writePredictions, type TestPredictions } from "./predictions.ts";

async function openRun(checkpoint: string, device = "cpu") {
  device = checkDevice(device);
  const { model, meta } = await loadModelCheckpoint(checkpoint);
  if (device !== "cpu") model.toDevice(device);
  const cfg = (meta.config as { train?: TrainConfig }).train;
  if (!cfg) {
    model.dispose();
    throw new Error(`${checkpoint} was not written by \`aunce train\` (no training config inside)`);
  }
  const src = dataSource(cfg);
  const opts = src.dataset ? { dataset: src.dataset } : {};
  const train = AuDataset.open(src.dir, cfg.fold, "train", opts);
  const test = AuDataset.open(src.dir, cfg.fold, "test", opts);
  return { model, cfg, train, test, aus: ausOf(train.dataset), device };
}

function lossCurve(runDir: string): number[] {
  try {
    return readFileSync(`${runDir}/log.jsonl`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.event === "step").map((e) => e.loss as number);
  } catch {
    return [];
  }
}

/** The test fold's per-frame predictions, written to <out>/predictions.json. */
function savePredictions(out: string, test: AuDataset, aus: readonly number[], probs: Float32Array, labels: Float32Array, thresholds?: readonly number[]): TestPredictions {
  const p = makePredictions(aus, Array.from({ length: test.length }, (_, i) => subjectOf(test, i)), probs, labels, thresholds);
  writePredictions(join(out, "predictions.json"), p);
  return p;
}

/**
 * Linear evaluation of an AUNCE run's checkpoint; writes the report into `out` (with
 * `predictions`, also the test fold's per-frame predictions.json, for bootstrap intervals).
 */
export async function runLinearEval(checkpoint: string, o: { epochs?: number; batchSize?: number; lr?: number; workers?: number; device?: string; out: string; predictions?: boolean; onProgress?: (stage: string, done: number, total: number) => void }): Promise<{ result: LinearEvalResult; table: string; out: string; predictions?: TestPredictions }> {
  const run = await openRun(checkpoint, o.device);
  try {
    const result = await linearEval(run.model, run.aus, run.train, run.test, { epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, workers: o.workers, device: run.device, cropSize: run.cfg.crop_size, seed: run.cfg.seed, onProgress: o.onProgress });
    const columns = [{ name: `AUNCE linear eval, fold ${run.cfg.fold}`, metrics: result.selected.test }];
    await writeReport(o.out, {
      title: `AUNCE linear evaluation — ${run.cfg.backbone}, ${run.cfg.dataset} fold ${run.cfg.fold}`,
      columns,
      curves: [
        { name: "AUNCE pre-training", values: lossCurve(checkpoint.replace(/\/[^/]+$/, "")), yTitle: "AUNCE contrastive loss" },
        { name: "linear heads (per epoch)", values: result.history.map((h) => h.loss), xTitle: "linear-evaluation epoch", yTitle: "class-weighted softmax loss" },
      ],
      notes: [
        `epoch ${result.selected.epoch} selected on validation subjects ${result.valSubjects.join(", ")} (held out of the training fold)`,
        `the reference's selection (best TEST epoch ${result.referenceSelection.epoch}, optimistic) gives mean F1 ${(100 * result.referenceSelection.test.meanF1).toFixed(1)}`,
      ],
      extra: { fold: run.cfg.fold, selectedEpoch: result.selected.epoch, validation: result.selected.val, referenceSelection: result.referenceSelection, history: result.history },
    });
    result.head.dispose();
    const predictions = o.predictions ? savePredictions(o.out, run.test, run.aus, result.selected.testProbs, result.selected.testLabels) : undefined;
    return { result, table: f1Table(columns), out: o.out, ...(predictions ? { predictions } : {}) };
  } finally {
    run.model.dispose();
  }
}

/** Test metrics of a supervised run's checkpoint; writes the report into `out` (with `predictions`, also predictions.json). */
export async function runEvaluate(checkpoint: string, o: { tune?: boolean; workers?: number; device?: string; out: string; predictions?: boolean }): Promise<{ metrics: Metrics; table: string; out: string; predictions?: TestPredictions }> {
  const run = await openRun(checkpoint, o.device);
  try {
    const r = await evaluateScoreModel(run.model, run.aus, run.train, run.test, { cropSize: run.cfg.crop_size, tune: o.tune, seed: run.cfg.seed, workers: o.workers, device: run.device });
    const columns = [{ name: `supervised, fold ${run.cfg.fold}${o.tune ? " (tuned thresholds)" : ""}`, metrics: r.test }];
    await writeReport(o.out, {
      title: `ME-GraphAU stage-1 baseline — ${run.cfg.backbone}, ${run.cfg.dataset} fold ${run.cfg.fold}`,
      columns,
      curves: [{ name: "supervised training", values: lossCurve(checkpoint.replace(/\/[^/]+$/, "")), yTitle: "weighted asymmetric loss" }],
      extra: { fold: run.cfg.fold, thresholds: r.thresholds },
    });
    const predictions = o.predictions ? savePredictions(o.out, run.test, run.aus, r.testScores, r.testLabels, r.thresholds) : undefined;
    return { metrics: r.test, table: f1Table(columns), out: o.out, ...(predictions ? { predictions } : {}) };
  } finally {
    run.model.dispose();
  }
}

/** Averages finished evaluations (their metrics.json) over folds into one report. */
export async function averageRuns(files: string[], out: string): Promise<{ metrics: Metrics; table: string; out: string }> {
  const folds = files.map((f) => {
    const j = JSON.parse(readFileSync(f, "utf8")) as { results: { name: string; metrics: Metrics }[] };
    if (!j.results?.[0]?.metrics) throw new Error(`${f}: not a metrics.json from aunce linear-eval/evaluate`);
    return j.results[0];
  });
  const mean = meanOverFolds(folds.map((f) => f.metrics));
  const columns = [...folds, { name: `mean of ${folds.length}`, metrics: mean }];
  await writeReport(out, { title: `Mean over ${folds.length} folds`, columns });
  return { metrics: mean, table: f1Table(columns), out };
}
