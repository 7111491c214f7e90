/**
 * The report of a study (arms x training-label noise x folds) from its runs' test predictions:
 * mean and per-AU F1 / ROC-AUC with 95% bootstrap intervals over test subjects, the "always
 * present" floor, a verdict per claim from the paired interval of the difference between arms,
 * and the plots' Vega-Lite specifications (F1 vs noise per method; per-AU F1 vs base rate).
 * Pure: reads no files; the study script gathers the cells and writes what this returns.
 */
import type { TopLevelSpec } from "vega-lite";
import { auLabel } from "../data/aus.ts";
import { bootstrapRuns, contrastInterval, statInterval, verdictOf, type AuStats, type BootstrapOptions, type BootstrapResult, type Interval, type Verdict } from "./bootstrap.ts";
import { f1VsBaseRateSpec, f1VsNoiseSpec } from "./plots.ts";
import type { TestPredictions } from "./predictions.ts";

/** One arm of the study, as the report names it. */
export interface StudyArm {
  id: string;
  label: string;
}

/** A claim of the paper, tested as (arm) - (than) > 0 on a metric. */
export type ClaimSpec =
  | {
      id: string;
      text: string;
      /** arm beats than at `noise`. */
      kind: "better";
      arm: string;
      than: string;
      noise: number;
      metric: "f1" | "auc";
      /** "rare": only the AUs whose test base rate is below the median AU's. Default all. */
      aus?: "all" | "rare";
    }
  | {
      id: string;
      text: string;
      /** arm loses less than `than` from `clean` to `noisy`: (arm@noisy - arm@clean) - (than@noisy - than@clean) > 0. */
      kind: "robust";
      arm: string;
      than: string;
      clean: number;
      noisy: number;
      metric: "f1" | "auc";
    };

/** One finished run's test predictions. */
export interface StudyCell {
  arm: string;
  noise: number;
  fold: number;
  predictions: TestPredictions;
}

export interface ClaimResult {
  id: string;
  text: string;
  /** How the difference is formed, in words. */
  contrast: string;
  metric: "f1" | "auc";
  /** null when a cell the claim needs has not run. */
  diff: Interval | null;
  verdict: Verdict | "not run";
}

/** One arm under one noise level over the folds it ran. */
export interface CellSummary {
  arm: string;
  noise: number;
  folds: number[];
  meanF1: Interval;
  meanAuc: Interval;
  presentF1: Interval;
  perAu: { au: number; baseRate: number; f1: Interval; auc: Interval }[];
}

export interface StudyReport {
  summaries: CellSummary[];
  claims: ClaimResult[];
  /** The section's Markdown (no markers). */
  markdown: string;
  /** Plot file names (relative to the Markdown) and their specifications. */
  plots: { file: string; alt: string; spec: TopLevelSpec }[];
}

export interface StudyReportInput {
  title: string;
  arms: StudyArm[];
  noises: number[];
  claims: ClaimSpec[];
  cells: StudyCell[];
  bootstrap?: BootstrapOptions;
  /** Markdown lines before the results (the design, the command that reproduces it). */
  preamble?: string[];
  /** Markdown lines after the results (what ran where, times). */
  footer?: string[];
  /** Folder of the plots relative to the Markdown file ("" = beside it). */
  plotDir?: string;
}

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");
const pp = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}` : "n/a");
/** "55.4 [51.0, 59.8]" */
export const showInterval = (i: Interval, signed = false) => {
  const f = signed ? pp : pct;
  return `${f(i.value)} [${f(i.lo)}, ${f(i.hi)}]`;
};
const noiseName = (r: number) => `${Math.round(100 * r)}%`;

/** Builds the report of a study from its cells. */
export function studyReport(input: StudyReportInput): StudyReport {
  const label = new Map(input.arms.map((a) => [a.id, a.label]));
  const boot = new Map<string, BootstrapResult>();
  const key = (arm: string, noise: number) => `${arm}@${noise}`;
  for (const arm of input.arms) {
    for (const noise of input.noises) {
      const runs = input.cells.filter((c) => c.arm === arm.id && c.noise === noise).sort((a, b) => a.fold - b.fold);
      if (runs.length) boot.set(key(arm.id, noise), bootstrapRuns(runs, input.bootstrap));
    }
  }
  const aus = input.cells[0]?.predictions.aus ?? [];
  const summaries: CellSummary[] = [];
  for (const [k, r] of boot) {
    const [arm, noise] = [k.slice(0, k.lastIndexOf("@")), Number(k.slice(k.lastIndexOf("@") + 1))];
    summaries.push({
      arm, noise, folds: r.folds.map((f) => f.fold),
      meanF1: statInterval(r, (s) => s.meanF1), meanAuc: statInterval(r, (s) => s.meanAuc), presentF1: statInterval(r, (s) => s.meanPresentF1),
      perAu: aus.map((au, i) => ({ au, baseRate: r.point.baseRate[i], f1: statInterval(r, (s) => s.f1[i]), auc: statInterval(r, (s) => s.auc[i]) })),
    });
  }
  const claims = input.claims.map((c) => evaluateClaim(c, boot, key, label));

  const md: string[] = [`## ${input.title}`, ""];
  if (input.preamble?.length) md.push(...input.preamble, "");
  md.push("### Results: mean over AUs, 95% bootstrap intervals over test subjects", "");
  md.push("| arm | training-label noise | folds | mean F1 | mean ROC-AUC | always present, mean F1 |", "|---|---:|---|---:|---:|---:|");
  for (const s of summaries) md.push(`| ${label.get(s.arm)} | ${noiseName(s.noise)} | ${s.folds.join(", ")} | ${showInterval(s.meanF1)} | ${showInterval(s.meanAuc)} | ${showInterval(s.presentF1)} |`);
  md.push("");
  md.push("### Claims", "", "Each verdict comes from the 95% interval of the paired difference (same resampled test subjects for both sides): above 0 holds, below 0 fails, spanning 0 cannot tell at this scale.", "");
  md.push("| claim | difference tested | metric | difference, points [95% interval] | verdict |", "|---|---|---|---:|---|");
  for (const c of claims) md.push(`| ${c.text} | ${c.contrast} | ${c.metric === "f1" ? "mean F1" : "mean ROC-AUC"} | ${c.diff ? showInterval(c.diff, true) : "—"} | **${c.verdict}** |`);
  md.push("");
  for (const noise of input.noises) {
    const at = summaries.filter((s) => s.noise === noise);
    if (!at.length) continue;
    md.push(`### Per-AU F1 at ${noiseName(noise)} training-label noise (95% intervals)`, "");
    md.push(`| AU | base rate | ${at.map((s) => label.get(s.arm)).join(" | ")} | always present |`, `|---|---:|${at.map(() => "---:|").join("")}---:|`);
    aus.forEach((au, i) => {
      const present = 2 * at[0].perAu[i].baseRate / (1 + at[0].perAu[i].baseRate);
      md.push(`| ${auLabel(au)} | ${pct(at[0].perAu[i].baseRate)} | ${at.map((s) => showInterval(s.perAu[i].f1)).join(" | ")} | ${pct(present)} |`);
    });
    md.push("");
    // The threshold-free side of the same question: F1 at 0.5 can sit at 0 or at "always present" while the scores still rank.
    md.push(`### Per-AU ROC-AUC at ${noiseName(noise)} training-label noise (95% intervals; chance is 50)`, "");
    md.push(`| AU | base rate | ${at.map((s) => label.get(s.arm)).join(" | ")} |`, `|---|---:|${at.map(() => "---:|").join("")}`);
    aus.forEach((au, i) => md.push(`| ${auLabel(au)} | ${pct(at[0].perAu[i].baseRate)} | ${at.map((s) => showInterval(s.perAu[i].auc)).join(" | ")} |`));
    md.push("");
  }
  const dir = input.plotDir ? `${input.plotDir.replace(/\/$/, "")}/` : "";
  const plots: StudyReport["plots"] = [];
  if (summaries.length) {
    plots.push({
      file: "f1-noise.svg", alt: "mean F1 vs training-label noise per method",
      spec: f1VsNoiseSpec(summaries.map((s) => ({ method: label.get(s.arm)!, noise: Math.round(100 * s.noise), f1: 100 * s.meanF1.value, lo: 100 * s.meanF1.lo, hi: 100 * s.meanF1.hi }))),
    });
    const clean = Math.min(...summaries.map((s) => s.noise));
    plots.push({
      file: "f1-base-rate.svg", alt: `per-AU F1 vs base rate at ${noiseName(clean)} noise`,
      spec: f1VsBaseRateSpec(summaries.filter((s) => s.noise === clean).flatMap((s) => s.perAu.map((a) => ({ method: label.get(s.arm)!, au: auLabel(a.au), baseRate: 100 * a.baseRate, f1: 100 * a.f1.value }))),
        `Per-AU F1 vs base rate at ${noiseName(clean)} training-label noise (dashed: always present)`),
    });
    md.push(...plots.map((p) => `![${p.alt}](${dir}${p.file})`), "");
  }
  if (input.footer?.length) md.push(...input.footer, "");
  return { summaries, claims, markdown: md.join("\n"), plots };
}

function evaluateClaim(c: ClaimSpec, boot: Map<string, BootstrapResult>, key: (arm: string, noise: number) => string, label: Map<string, string>): ClaimResult {
  const name = (arm: string) => label.get(arm) ?? arm;
  const base = { id: c.id, text: c.text, metric: c.metric };
  if (c.kind === "better") {
    const a = boot.get(key(c.arm, c.noise));
    const b = boot.get(key(c.than, c.noise));
    const contrast = `${name(c.arm)} − ${name(c.than)} at ${noiseName(c.noise)} noise${c.aus === "rare" ? ", rarer half of the AUs" : ""}`;
    if (!a || !b) return { ...base, contrast, diff: null, verdict: "not run" };
    const stat = metricOf(c.metric, c.aus === "rare" ? rareAus(a.point) : null);
    const diff = contrastInterval([a, b], stat, ([x, y]) => x - y);
    return { ...base, contrast, diff, verdict: verdictOf(diff) };
  }
  const cells = [boot.get(key(c.arm, c.noisy)), boot.get(key(c.arm, c.clean)), boot.get(key(c.than, c.noisy)), boot.get(key(c.than, c.clean))];
  const contrast = `(${name(c.arm)} change) − (${name(c.than)} change), ${noiseName(c.clean)} → ${noiseName(c.noisy)} noise`;
  if (cells.some((x) => !x)) return { ...base, contrast, diff: null, verdict: "not run" };
  const diff = contrastInterval(cells as BootstrapResult[], metricOf(c.metric, null), ([an, ac, bn, bc]) => an - ac - (bn - bc));
  return { ...base, contrast, diff, verdict: verdictOf(diff) };
}

/** The indices of the AUs whose base rate is below the median AU's (at least one). */
export function rareAus(s: AuStats): number[] {
  const order = s.baseRate.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  return order.slice(0, Math.max(1, Math.floor(order.length / 2))).map(([, i]) => i);
}

function metricOf(metric: "f1" | "auc", only: number[] | null): (s: AuStats) => number {
  if (!only) return metric === "f1" ? (s) => s.meanF1 : (s) => s.meanAuc;
  return (s) => {
    const v = only.map((i) => (metric === "f1" ? s.f1[i] : s.auc[i])).filter(Number.isFinite);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
}

/** Replaces the text between `<!-- study:NAME -->` and `<!-- /study -->` in `doc` (appends the block when absent). */
export function replaceStudySection(doc: string, name: string, section: string): string {
  const open = `<!-- study:${name} -->`;
  const close = "<!-- /study -->";
  const block = `${open}\n${section.trimEnd()}\n${close}`;
  const start = doc.indexOf(open);
  if (start < 0) return `${doc.trimEnd()}\n\n${block}\n`;
  const end = doc.indexOf(close, start);
  if (end < 0) throw new Error(`${open} has no closing ${close}`);
  return doc.slice(0, start) + block + doc.slice(end + close.length);
}
