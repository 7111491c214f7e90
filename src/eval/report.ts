/**
 * Evaluation report tables: Markdown per-AU F1 (one column per method or fold, plus the mean),
 * AUs named as in FACS beside their codes. The plots are in plots.ts.
 */
import { auLabel } from "../data/aus.ts";
import type { Metrics } from "./metrics.ts";

const pct = (x: number) => (Number.isNaN(x) ? "n/a" : (100 * x).toFixed(1));

/** Markdown table: rows = AUs ("AU12 lip corner puller") + mean; columns = the named results' F1 (%). */
export function f1Table(columns: { name: string; metrics: Metrics }[]): string {
  const aus = columns[0].metrics.perAu.map((m) => m.au);
  const head = `| AU | ${columns.map((c) => c.name).join(" | ")} |`;
  const sep = `|---|${columns.map(() => "---:").join("|")}|`;
  const rows = aus.map((au, k) => `| ${auLabel(au)} | ${columns.map((c) => pct(c.metrics.perAu[k]?.f1 ?? NaN)).join(" | ")} |`);
  const mean = `| **mean** | ${columns.map((c) => `**${pct(c.metrics.meanF1)}**`).join(" | ")} |`;
  return [head, sep, ...rows, mean].join("\n");
}

/** Mean of several folds' metrics, AU by AU (the paper's 3-fold table). */
export function meanOverFolds(folds: Metrics[]): Metrics {
  const k = folds.length;
  const avg = (f: (m: Metrics) => number) => folds.reduce((a, m) => a + f(m), 0) / k;
  return {
    perAu: folds[0].perAu.map((m, i) => ({
      ...m,
      f1: avg((x) => x.perAu[i].f1), precision: avg((x) => x.perAu[i].precision), recall: avg((x) => x.perAu[i].recall),
      accuracy: avg((x) => x.perAu[i].accuracy), auc: avg((x) => x.perAu[i].auc),
      positives: folds.reduce((a, x) => a + x.perAu[i].positives, 0), count: folds.reduce((a, x) => a + x.perAu[i].count, 0),
    })),
    meanF1: avg((m) => m.meanF1),
    meanAccuracy: avg((m) => m.meanAccuracy),
    meanAuc: avg((m) => m.meanAuc),
  };
}
