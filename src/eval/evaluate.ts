/**
 * Evaluation of trained models on a test fold and the report files every evaluation writes:
 * metrics.json, report.md (per-AU F1 table), f1.svg and loss.svg (plots.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuDataset } from "../data/index.ts";
import type { AuModel } from "../models/au-model.ts";
import { extractFeatures, subjectSplit, subset } from "./features.ts";
import { computeMetrics, tuneThresholds, type Metrics } from "./metrics.ts";
import { f1BarsSvg, lossCurvesSvg, type LossCurve } from "./plots.ts";
import { f1Table } from "./report.ts";

/**
 * Test metrics of a score model (ME-GraphAU stage 1: outputs in [0, 1] per AU, thresholded at
 * 0.5 as the reference does), optionally with per-AU thresholds tuned on a validation split of
 * the training subjects. `testScores` / `testLabels` [n, N] are the test fold's, in dataset order.
 */
export async function evaluateScoreModel(model: AuModel, aus: readonly number[], train: AuDataset, test: AuDataset, o: { cropSize: number; tune?: boolean; seed?: number; workers?: number; device?: string }): Promise<{ test: Metrics; thresholds: number[]; testScores: Float32Array; testLabels: Float32Array }> {
  if (model.head.output !== "scores") throw new Error("evaluate needs a supervised model (per-AU scores); this is an AUNCE encoder (AU embeddings): use `aunce linear-eval`");
  let thresholds = aus.map(() => 0.5);
  if (o.tune) {
    const split = subjectSplit(train, 1 / 6, o.seed ?? 3407);
    const val = await extractFeatures(model, subset(train, split.val), { cropSize: o.cropSize, workers: o.workers, device: o.device });
    thresholds = tuneThresholds(val.features, val.labels, aus.length);
  }
  const f = await extractFeatures(model, test, { cropSize: o.cropSize, workers: o.workers, device: o.device });
  if (f.featureShape.length !== 1) throw new Error(`expected per-AU scores [B, N], got [B, ${f.featureShape}]; use linear-eval for AUNCE encoders`);
  return { test: computeMetrics(f.features, f.labels, aus, thresholds), thresholds, testScores: f.features, testLabels: f.labels };
}

/**
 * Writes metrics.json, report.md, f1.svg and (when a curve has values) loss.svg into `dir`.
 * `guide` is Markdown placed after the table (how to read the numbers); `notes` become a list.
 */
export async function writeReport(dir: string, r: { title: string; columns: { name: string; metrics: Metrics }[]; curves?: LossCurve[]; guide?: string; notes?: string[]; extra?: Record<string, unknown> }): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "metrics.json"), JSON.stringify({ title: r.title, results: r.columns, ...r.extra }, null, 2) + "\n");
  const curves = (r.curves ?? []).filter((c) => c.values.some(Number.isFinite));
  const md = [`# ${r.title}`, "", "Per-AU F1 (%) at threshold 0.5 unless stated.", "", f1Table(r.columns), ""];
  if (r.guide) md.push(r.guide, "");
  if (r.notes?.length) md.push(...r.notes.map((n) => `- ${n}`), "");
  md.push("![per-AU F1](f1.svg)");
  if (curves.length) md.push("", "![loss](loss.svg)");
  writeFileSync(join(dir, "report.md"), md.join("\n") + "\n");
  writeFileSync(join(dir, "f1.svg"), await f1BarsSvg(r.columns));
  if (curves.length) writeFileSync(join(dir, "loss.svg"), await lossCurvesSvg(curves));
}
