/**
 * Evaluation of trained models on a test fold and the report files every evaluation writes:
 * metrics.json, report.md (per-AU F1 table), f1.svg and loss.svg.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuDataset } from "../data/index.ts";
import type { AuModel } from "../models/au-model.ts";
import { extractFeatures, subjectSplit, subset } from "./features.ts";
import { computeMetrics, tuneThresholds, type Metrics } from "./metrics.ts";
import { f1BarsSvg, f1Table, lossCurveSvg } from "./report.ts";

/**
 * Test metrics of a score model (ME-GraphAU stage 1: outputs in [0, 1] per AU, thresholded at
 * 0.5 as the reference does), optionally with per-AU thresholds tuned on a validation split of
 * the training subjects.
 */
export async function evaluateScoreModel(model: AuModel, aus: readonly number[], train: AuDataset, test: AuDataset, o: { cropSize: number; tune?: boolean; seed?: number; workers?: number; device?: string }): Promise<{ test: Metrics; thresholds: number[] }> {
  if (model.head.output !== "scores") throw new Error("evaluate needs a supervised model (per-AU scores); this is an AUNCE encoder (AU embeddings): use `aunce linear-eval`");
  let thresholds = aus.map(() => 0.5);
  if (o.tune) {
    const split = subjectSplit(train, 1 / 6, o.seed ?? 3407);
    const val = await extractFeatures(model, subset(train, split.val), { cropSize: o.cropSize, workers: o.workers, device: o.device });
    thresholds = tuneThresholds(val.features, val.labels, aus.length);
  }
  const f = await extractFeatures(model, test, { cropSize: o.cropSize, workers: o.workers, device: o.device });
  if (f.featureShape.length !== 1) throw new Error(`expected per-AU scores [B, N], got [B, ${f.featureShape}]; use linear-eval for AUNCE encoders`);
  return { test: computeMetrics(f.features, f.labels, aus, thresholds), thresholds };
}

/** Writes metrics.json, report.md, f1.svg and (when given) loss.svg into `dir`. */
export function writeReport(dir: string, r: { title: string; columns: { name: string; metrics: Metrics }[]; curves?: { name: string; values: number[] }[]; notes?: string[]; extra?: Record<string, unknown> }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "metrics.json"), JSON.stringify({ title: r.title, results: r.columns, ...r.extra }, null, 2) + "\n");
  const md = [`# ${r.title}`, "", "Per-AU F1 (%) at threshold 0.5 unless stated.", "", f1Table(r.columns), "", ...(r.notes ?? []).map((n) => `- ${n}`), "", "![per-AU F1](f1.svg)"];
  if (r.curves?.length) md.push("", "![loss](loss.svg)");
  writeFileSync(join(dir, "report.md"), md.join("\n") + "\n");
  writeFileSync(join(dir, "f1.svg"), f1BarsSvg(r.columns));
  if (r.curves?.length) writeFileSync(join(dir, "loss.svg"), lossCurveSvg(r.curves));
}
