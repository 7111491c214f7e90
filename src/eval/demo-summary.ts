/**
 * The demo's machine-readable summary (`<demo>/summary.json`) and the "how to read this" text of
 * its report, both built from the run's own metrics. docs/results/demo.json holds summaries of
 * recorded runs; the README's demo figures are rendered from it (scripts/readme-facts.ts).
 */
import type { Metrics } from "./metrics.ts";

/** What the numbers were computed on: a run is only comparable with one on the same engine. */
export interface DemoEngine {
  libtorch: string;
  blas: string;
  threads: number;
  cpuCapability: string;
}

/** One method's test-fold figures (fractions, as computed). */
export interface MethodSummary {
  name: string;
  meanF1: number;
  meanAuc: number;
  meanAccuracy: number;
  /** Per AU, keyed "AU01".."AU24". */
  perAuF1: Record<string, number>;
}

/** `<demo>/summary.json`. */
export interface DemoSummary {
  format: "aunce-demo-summary/1";
  date: string;
  engine: DemoEngine;
  /** The demo's options after parsing (backbone included): runs compare only at equal config. */
  config: Record<string, number | string>;
  /** Every option at its default (what `npm run demo` runs; the README shows these runs). */
  defaultConfig: boolean;
  methods: { aunce: MethodSummary; supervised: MethodSummary };
  /** Mean F1 of answering "present" on every test frame (2p / (1 + p) per AU): the floor to clear. */
  alwaysPresentF1: number;
  testFrames: number;
  seconds: number;
  stageSeconds: Record<string, number>;
  /** 1-minute load average when the demo started and when it finished (other jobs on the machine). */
  loadAverage: { start: number; end: number };
}

const code = (au: number) => `AU${String(au).padStart(2, "0")}`;
const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");

/** Summary of one method's metrics. */
export function methodSummary(name: string, m: Metrics): MethodSummary {
  return { name, meanF1: m.meanF1, meanAuc: m.meanAuc, meanAccuracy: m.meanAccuracy, perAuF1: Object.fromEntries(m.perAu.map((a) => [code(a.au), a.f1])) };
}

/** Mean over AUs of the F1 that answering "present" everywhere gets: 2p / (1 + p), p = positive share. */
export function alwaysPresentF1(m: Metrics): number {
  const f = m.perAu.map((a) => (a.count ? (2 * a.positives) / (a.positives + a.count) : 0));
  return f.reduce((s, x) => s + x, 0) / f.length;
}

/** The engine fields a demo result depends on, from `engineInfo()`. */
export function demoEngine(info: Record<string, unknown>): DemoEngine {
  return { libtorch: String(info.libtorch), blas: String(info.blas), threads: Number(info.threads), cpuCapability: String(info.cpuCapability) };
}

/** "libtorch 1.13.1, OpenBLAS, 2 threads, AVX2". */
export const engineLabel = (e: DemoEngine): string => `libtorch ${e.libtorch}, ${e.blas}, ${e.threads} thread${e.threads === 1 ? "" : "s"}, ${e.cpuCapability}`;

/** Whether two summaries were computed on the same engine and config (so must agree). */
export function sameRun(a: Pick<DemoSummary, "engine" | "config">, b: Pick<DemoSummary, "engine" | "config">): boolean {
  const eq = (x: object, y: object) => JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(y).sort());
  return eq(a.engine, b.engine) && eq(a.config, b.config);
}

/**
 * "How to read this": what F1 and AUC mean here, the floor to compare with, why AUNCE trails the
 * supervised baseline in a run this small, and where to read more (Markdown; `docs` is the path
 * or URL of the experiments page as seen from where the text is shown).
 */
export function demoGuide(s: DemoSummary, docs = "docs/experiments.md"): string {
  const a = s.methods.aunce, b = s.methods.supervised, floor = s.alwaysPresentF1;
  const epochs = `${s.config.epochs} epoch${s.config.epochs === 1 ? "" : "s"}`;
  const outcome =
    a.meanF1 < b.meanF1
      ? `so AUNCE trailing the baseline here (mean F1 ${pct(a.meanF1)} vs ${pct(b.meanF1)}) is expected`
      : `so read AUNCE's lead here (mean F1 ${pct(a.meanF1)} vs ${pct(b.meanF1)}) with care: at this size one run's differences are mostly noise`;
  const floorNote =
    Math.max(a.meanF1, b.meanF1) < floor ? " Neither method clears that floor in this run: neither has learned to detect these AUs on unseen faces yet." : "";
  return [
    "## How to read this",
    "",
    `F1 (0–100, higher is better) balances missed and false detections of each AU on the ${s.testFrames} test frames, whose synthetic subjects were never seen in training; the **mean** row averages the AUs. ` +
      `Answering "present" on every frame already scores a mean F1 of **${pct(floor)}** here, so that, not zero, is the floor.${floorNote} ` +
      `ROC-AUC ranks frames without a threshold (50 = chance): ${pct(a.meanAuc)} for AUNCE, ${pct(b.meanAuc)} for the supervised baseline.`,
    "",
    `This run is tiny on purpose (it shows the whole pipeline in minutes): ${s.config.subjects} synthetic subjects, a narrow ${s.config.backbone} trained from scratch for ${epochs} on ${s.config.crop} px crops. ` +
      "AUNCE learns its features without labels (contrastive pre-training) and only a linear head per AU sees the labels, while the supervised baseline trains the whole network on them; " +
      `with a few identities and minutes of training the label-free features stay weak, ${outcome}, and it says nothing about the paper's claim, ` +
      "which rests on an ImageNet-initialised Swin-B trained for 60 epochs on the full BP4D or DISFA. " +
      `[${docs}](${docs}) describes larger runs on synthetic data and what they can and cannot show.`,
  ].join("\n");
}
