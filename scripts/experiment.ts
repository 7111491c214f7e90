/**
 * Experiment: AUNCE (pre-training + linear evaluation) vs the supervised ME-GraphAU baseline on
 * SynthAU with BP4D-like class imbalance, under 0%, 20% and 40% symmetric label noise on the
 * TRAINING labels, 3 folds each. Test labels stay clean, so the scores measure what was learnt.
 *
 *   node --import tsx scripts/experiment.ts [--out experiments/noise] [--epochs 6] [--quick]
 *
 * Writes <out>/results.json, <out>/report.md (per-AU F1, 3-fold means) and its plots (f1-noise.svg:
 * mean F1 against the noise level; f1-noiseNN.svg: per-AU F1 at NN% noise) — copied into
 * docs/experiments.md by hand with the machine and the time it took.
 * Noise is applied to the prepared training lists (each label flips with probability r, seeded),
 * which is what `aunce synth --label-noise r` does to the raw labels, without re-rendering.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Rng, classWeights, readBp4d, writePrepared } from "../src/data/index.ts";
import { runEvaluate, runLinearEval } from "../src/eval/pipeline.ts";
import { f1BarsSvg, renderSvg } from "../src/eval/plots.ts";
import { f1Table, meanOverFolds } from "../src/eval/report.ts";
import type { Metrics } from "../src/eval/metrics.ts";
import { generateSynthDataset } from "../src/synth/index.ts";
import { resolveConfig } from "../src/train/config.ts";
import { train } from "../src/train/trainer.ts";

const { values: a } = parseArgs({
  options: {
    out: { type: "string", default: "experiments/noise" },
    epochs: { type: "string", default: "6" },
    subjects: { type: "string", default: "12" },
    frames: { type: "string", default: "24" },
    noise: { type: "string", default: "0,0.2,0.4" },
    folds: { type: "string", default: "1,2,3" },
    quick: { type: "boolean", default: false },
    "report-only": { type: "boolean", default: false },
  },
});
const out = resolve(a.out!);
const quick = a.quick!;
const epochs = quick ? 1 : Number(a.epochs);
const noises = a.noise!.split(",").map(Number);
const folds = a.folds!.split(",").map(Number) as (1 | 2 | 3)[];
const t0 = performance.now();
mkdirSync(out, { recursive: true });

interface Row { noise: number; fold: number; aunce: Metrics; supervised: Metrics }
const rows: Row[] = a["report-only"] ? (JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Row[]) : await runAll();

async function runAll(): Promise<Row[]> {
  // 1. One clean SynthAU dataset (BP4D-like base rates and co-occurrences, no "not coded" cells so
  //    every noise level keeps the same frames).
  const raw = join(out, "synth");
  if (!existsSync(join(raw, "synth.json"))) {
    await generateSynthDataset({ style: "bp4d", subjects: quick ? 6 : Number(a.subjects), sequences: 3, frames: quick ? 8 : Number(a.frames), size: 112, seed: 11, out: raw, notCodedRate: 0, force: true });
  }
  const clean = join(out, "prepared-clean");
  if (!existsSync(clean)) writePrepared(readBp4d(raw), clean);

  /** A prepared copy whose training labels flip with probability r (weights recomputed). */
  function noisyCopy(r: number): string {
    const dir = join(out, `prepared-noise${Math.round(r * 100)}`);
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    cpSync(clean, dir, { recursive: true });
    for (const fold of [1, 2, 3]) {
      const labelFile = join(dir, "list", `BP4D_train_label_fold${fold}.txt`);
      const rows = readFileSync(labelFile, "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
      const rng = new Rng(97, fold, Math.round(r * 1000));
      const noisy = rows.map((row) => row.map((v) => (v >= 0 && rng.next() < r ? 1 - v : v)));
      writeFileSync(labelFile, noisy.map((row) => row.join(" ")).join("\n") + "\n");
      const w = classWeights(noisy, rows[0].length);
      writeFileSync(join(dir, "list", `BP4D_train_weight_fold${fold}.txt`), Array.from(w.weights, (x) => x.toFixed(6)).join("\t") + "\n");
    }
    return dir;
  }

  const rows: Row[] = [];
  for (const r of noises) {
    const prepared = r === 0 ? clean : noisyCopy(r);
    for (const fold of folds) {
      const base = { dataset: "BP4D", data_root: prepared, fold, out_dir: join(out, "runs"), backbone: "resnet18_w32", crop_size: 96, epochs, batch_size: 32, lr: 1e-3, drop_path: 0, checkpoint_every: 0 };
      const tag = `noise${Math.round(r * 100)}-fold${fold}`;
      for (const d of ["aunce", "sup"].map((k) => join(out, "runs", `${k}-${tag}`))) if (existsSync(d)) rmSync(d, { recursive: true });
      const s = performance.now();
      const au = await train(resolveConfig({ ...base, exp_name: `aunce-${tag}` } as never));
      const lin = await runLinearEval(au.checkpoint, { epochs: quick ? 3 : 100, out: join(au.runDir, "linear-eval") });
      const sup = await train(resolveConfig({ ...base, exp_name: `sup-${tag}`, supervised: true } as never));
      const ev = await runEvaluate(sup.checkpoint, { out: join(sup.runDir, "evaluate") });
      rows.push({ noise: r, fold, aunce: lin.result.selected.test, supervised: ev.metrics });
      console.log(`${tag}: AUNCE ${(100 * lin.result.selected.test.meanF1).toFixed(1)}  supervised ${(100 * ev.metrics.meanF1).toFixed(1)}  (${((performance.now() - s) / 1000).toFixed(0)} s)`);
      writeFileSync(join(out, "results.json"), JSON.stringify(rows, null, 2));
    }
  }

  return rows;
}

// Report: per noise level, the 3-fold mean per AU for both methods, next to the F1 that always
// answering "present" gets (2p/(1+p) for a positive share p), and the threshold-free ROC-AUC.
const pct = (x: number) => (100 * x).toFixed(1);
const allPresent = (m: Metrics): Metrics => {
  const perAu = m.perAu.map((x) => ({ ...x, f1: (2 * x.positives) / (x.positives + x.count) }));
  return { ...m, perAu, meanF1: perAu.reduce((acc, x) => acc + x.f1, 0) / perAu.length };
};
const md: string[] = ["# AUNCE vs supervised under label noise (SynthAU, BP4D-like)", ""];
md.push("| noise | AUNCE mean F1 | supervised mean F1 | always-present F1 | AUNCE mean AUC | supervised mean AUC |", "|---|---:|---:|---:|---:|---:|");
for (const r of noises) {
  const sel = rows.filter((x) => x.noise === r);
  if (!sel.length) continue;
  const au = meanOverFolds(sel.map((x) => x.aunce)), sup = meanOverFolds(sel.map((x) => x.supervised)), triv = meanOverFolds(sel.map((x) => allPresent(x.supervised)));
  md.push(`| ${Math.round(r * 100)}% | ${pct(au.meanF1)} | ${pct(sup.meanF1)} | ${pct(triv.meanF1)} | ${pct(au.meanAuc)} | ${pct(sup.meanAuc)} |`);
}
md.push("");
for (const r of noises) {
  const sel = rows.filter((x) => x.noise === r);
  if (!sel.length) continue;
  md.push(`## ${Math.round(r * 100)}% symmetric noise on training labels (${sel.length} folds, per-AU F1 %, 3-fold mean)`, "");
  md.push(f1Table([
    { name: "AUNCE + linear eval", metrics: meanOverFolds(sel.map((x) => x.aunce)) },
    { name: "supervised", metrics: meanOverFolds(sel.map((x) => x.supervised)) },
    { name: "always present", metrics: meanOverFolds(sel.map((x) => allPresent(x.supervised))) },
  ]), "");
  md.push(`Per fold (mean F1): ${sel.map((x) => `fold ${x.fold} AUNCE ${pct(x.aunce.meanF1)} / supervised ${pct(x.supervised.meanF1)}`).join("; ")}`, "");
}
// Plots (Vega-Lite): mean F1 against the noise level, and per-AU F1 at each level.
const pctNoise = (r: number) => Math.round(r * 100);
const levels = noises.filter((r) => rows.some((x) => x.noise === r));
const methods = (r: number) => {
  const sel = rows.filter((x) => x.noise === r);
  return [
    { name: "AUNCE + linear eval", metrics: meanOverFolds(sel.map((x) => x.aunce)) },
    { name: "supervised", metrics: meanOverFolds(sel.map((x) => x.supervised)) },
    { name: "always present", metrics: meanOverFolds(sel.map((x) => allPresent(x.supervised))) },
  ];
};
const trend = levels.flatMap((r) => methods(r).map((m) => ({ noise: pctNoise(r), method: m.name, f1: Math.round(1000 * m.metrics.meanF1) / 10 })));
writeFileSync(join(out, "f1-noise.svg"), await renderSvg({
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title: { text: "Mean F1 on clean test labels vs training-label noise (3-fold means)", anchor: "start" },
  config: { font: "sans-serif", legend: { labelLimit: 0 } },
  width: 420, height: 240,
  data: { values: trend },
  mark: { type: "line", point: true },
  encoding: {
    x: { field: "noise", type: "quantitative", title: "symmetric noise on training labels (%)", axis: { values: levels.map(pctNoise) } },
    y: { field: "f1", type: "quantitative", title: "mean F1 (%)", scale: { domain: [0, 100] } },
    color: { field: "method", type: "nominal", sort: null, title: null, legend: { orient: "bottom", direction: "vertical" } },
  },
}));
md.push("![mean F1 vs noise](f1-noise.svg)", "");
for (const r of levels) {
  writeFileSync(join(out, `f1-noise${pctNoise(r)}.svg`), await f1BarsSvg(methods(r), `Per-AU F1 (%) at ${pctNoise(r)}% training-label noise (3-fold means)`));
  md.push(`![per-AU F1 at ${pctNoise(r)}% noise](f1-noise${pctNoise(r)}.svg)`, "");
}
md.push(`Settings: resnet18_w32 from scratch, 96px crops of 112px images, ${epochs} epochs, batch 32, lr 1e-3; ${((performance.now() - t0) / 60000).toFixed(0)} min for this invocation.`);
writeFileSync(join(out, "report.md"), md.join("\n") + "\n");
console.log(md.join("\n"));
