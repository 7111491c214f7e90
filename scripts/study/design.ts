/**
 * A study's design file (configs/studies/*.yaml): the data, the recipe every arm shares, the arms,
 * the noise levels, the folds, the claims to test and where the report goes. `readDesign` checks
 * it and names the bad key; `planRuns` lists every run (arm x noise x fold) in an order where a
 * fine-tuning run comes after the encoder it starts from.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import YAML from "yaml";
import type { ClaimSpec } from "../../src/eval/study-report.ts";
import { CONFIG_KEYS, type TrainConfig } from "../../src/train/config.ts";

export interface StudyArmDesign {
  id: string;
  label: string;
  /** "aunce": pre-training + linear evaluation; "supervised": ME-GraphAU stage 1, evaluated at 0.5. */
  method: "aunce" | "supervised";
  /** An aunce arm whose encoder (same noise, same fold) initialises this one (fine-tuning). */
  init?: string;
  /** Config keys of this arm only (ablation switches such as neg_betas, positive_types). */
  set?: Partial<TrainConfig>;
  /** Noise levels this arm runs at (default: all of the study's). */
  noise?: number[];
}

export interface StudyDesign {
  name: string;
  title: string;
  /** Output folder (data, runs), relative to the design file's project (the working directory). */
  out: string;
  data: { style: "bp4d"; subjects: number; sequences: number; frames: number; size: number; seed: number; not_coded_rate?: number };
  /** Seed of the label flips. */
  noise_seed: number;
  /** TrainConfig keys every arm shares. */
  train: Partial<TrainConfig>;
  /** Every arm trains this many epochs over the same training images (the images-seen budget). */
  epochs: number;
  linear_eval: { epochs: number };
  folds: (1 | 2 | 3)[];
  noise: number[];
  arms: StudyArmDesign[];
  bootstrap: { resamples: number; seed: number };
  claims: ClaimSpec[];
  /** Where the report goes: the Markdown file (its section between markers) and the plots' folder. */
  report: { doc: string; plots: string };
  /** Extra Markdown lines of the report's preamble (the question, how to read it). */
  notes?: string[];
}

/** One run of the study. */
export interface StudyRun {
  arm: StudyArmDesign;
  noise: number;
  fold: 1 | 2 | 3;
  /** The run's folder name under <out>/runs: <arm>-noiseNN-foldK. */
  name: string;
}

/** Keys an arm may not set: they are the same for every arm (backbone, budget, data, location). */
const SHARED_KEYS = ["backbone", "crop_size", "batch_size", "epochs", "max_steps", "dataset", "data_root", "fold", "exp_name", "out_dir", "supervised", "init_from", "pretrained"];

const fail = (file: string, msg: string): never => {
  throw new Error(`study design ${file}: ${msg}`);
};

/** Reads and checks a design file. */
export function readDesign(file: string): StudyDesign {
  if (!existsSync(file)) throw new Error(`study design not found: ${file}`);
  let d: StudyDesign;
  try {
    d = YAML.parse(readFileSync(file, "utf8")) as StudyDesign;
  } catch (err) {
    return fail(file, err instanceof Error ? err.message : String(err));
  }
  if (!d || typeof d !== "object") fail(file, "expected a mapping");
  for (const k of ["name", "title", "out", "data", "train", "epochs", "linear_eval", "folds", "noise", "arms", "bootstrap", "claims", "report", "noise_seed"] as const) {
    if (d[k] === undefined) fail(file, `'${k}' is missing`);
  }
  if (!/^[\w.-]+$/.test(d.name)) fail(file, `name may use letters, digits, '.', '_' and '-', got '${d.name}'`);
  if (d.data.style !== "bp4d") fail(file, `data.style must be bp4d (the study's folds and AUs are BP4D's), got '${d.data.style}'`);
  for (const k of ["subjects", "sequences", "frames", "size", "seed"] as const) if (!Number.isInteger(d.data[k]) || d.data[k] < (k === "seed" ? 0 : 1)) fail(file, `data.${k} must be a whole number, got ${JSON.stringify(d.data[k])}`);
  for (const k of Object.keys(d.train)) {
    if (!(k in CONFIG_KEYS)) fail(file, `train.${k} is not a training config key`);
    if (["epochs", "dataset", "data_root", "fold", "exp_name", "out_dir", "supervised", "init_from"].includes(k)) fail(file, `train.${k} is set by the study itself`);
  }
  if (!Number.isInteger(d.epochs) || d.epochs < 1) fail(file, `epochs must be a whole number >= 1, got ${JSON.stringify(d.epochs)}`);
  if (!Number.isInteger(d.linear_eval?.epochs) || d.linear_eval.epochs < 1) fail(file, "linear_eval.epochs must be a whole number >= 1");
  if (!Array.isArray(d.folds) || !d.folds.length || d.folds.some((f) => ![1, 2, 3].includes(f))) fail(file, `folds must list 1, 2 and/or 3, got ${JSON.stringify(d.folds)}`);
  const checkNoise = (v: unknown, what: string) => {
    if (!Array.isArray(v) || !v.length || v.some((r) => typeof r !== "number" || !(r >= 0 && r < 0.5))) fail(file, `${what} must list rates in [0, 0.5), got ${JSON.stringify(v)}`);
  };
  checkNoise(d.noise, "noise");
  if (!Array.isArray(d.arms) || !d.arms.length) fail(file, "arms must list at least one arm");
  const ids = new Set<string>();
  for (const a of d.arms) {
    if (!/^[\w.-]+$/.test(a.id ?? "")) fail(file, `arm id '${a.id}' may use letters, digits, '.', '_' and '-'`);
    if (ids.has(a.id)) fail(file, `arm '${a.id}' is listed twice`);
    ids.add(a.id);
    if (a.method !== "aunce" && a.method !== "supervised") fail(file, `arm '${a.id}': method must be aunce or supervised, got '${a.method}'`);
    a.label ??= a.id;
    for (const k of Object.keys(a.set ?? {})) {
      if (!(k in CONFIG_KEYS)) fail(file, `arm '${a.id}': set.${k} is not a training config key`);
      if (SHARED_KEYS.includes(k)) fail(file, `arm '${a.id}': set.${k} would change what all arms share (backbone, budget in images seen, data); set it under train`);
    }
    if (a.noise !== undefined) {
      checkNoise(a.noise, `arm '${a.id}': noise`);
      for (const r of a.noise) if (!d.noise.includes(r)) fail(file, `arm '${a.id}': noise ${r} is not one of the study's (${d.noise.join(", ")})`);
    }
  }
  for (const a of d.arms) {
    if (a.init === undefined) continue;
    const enc = d.arms.find((x) => x.id === a.init);
    if (!enc) fail(file, `arm '${a.id}': init '${a.init}' is not an arm`);
    if (enc!.method !== "aunce") fail(file, `arm '${a.id}': init '${a.init}' must be an aunce arm (its encoder initialises this one)`);
    if (a.method !== "supervised") fail(file, `arm '${a.id}': only a supervised arm can start from an encoder (init)`);
    for (const r of a.noise ?? d.noise) if (!(enc!.noise ?? d.noise).includes(r)) fail(file, `arm '${a.id}' runs at noise ${r}, where its encoder arm '${a.init}' does not`);
  }
  if (!Array.isArray(d.claims)) fail(file, "claims must be a list");
  for (const c of d.claims as unknown as { id: string; text: string; kind: string; metric: string; arm: string; than: string; noise?: number; clean?: number; noisy?: number }[]) {
    if (!/^[\w.-]+$/.test(c.id ?? "") || typeof c.text !== "string") fail(file, `every claim needs an id (letters, digits, '.', '_', '-') and a text`);
    if (!ids.has(c.arm) || !ids.has(c.than)) fail(file, `claim '${c.id}': arms '${c.arm}' and '${c.than}' must both be arms`);
    if (c.kind !== "better" && c.kind !== "robust") fail(file, `claim '${c.id}': kind must be better or robust`);
    if (c.metric !== "f1" && c.metric !== "auc") fail(file, `claim '${c.id}': metric must be f1 or auc`);
    const levels = c.kind === "better" ? [c.noise] : [c.clean, c.noisy];
    for (const r of levels) if (r === undefined || !d.noise.includes(r)) fail(file, `claim '${c.id}': noise ${r} is not one of the study's (${d.noise.join(", ")})`);
  }
  if (!Number.isInteger(d.bootstrap.resamples) || d.bootstrap.resamples < 1) fail(file, "bootstrap.resamples must be a whole number >= 1");
  if (!d.report?.doc || !d.report?.plots) fail(file, "report needs doc (the Markdown file) and plots (the SVG folder)");
  return d;
}

/** The run folder name of an arm at a noise level and fold. */
export const runName = (arm: string, noise: number, fold: number) => `${arm}-noise${String(Math.round(100 * noise)).padStart(2, "0")}-fold${fold}`;

/** Which runs a selection keeps: folds, noise levels and arms (all when not given). */
export interface RunSelection {
  folds?: number[];
  noise?: number[];
  arms?: string[];
}

/**
 * Every run of the design (restricted to `sel`), encoders before the runs that start from them;
 * a selected fine-tuning run brings its encoder's run along.
 */
export function planRuns(d: StudyDesign, sel: RunSelection = {}): StudyRun[] {
  for (const a of sel.arms ?? []) if (!d.arms.some((x) => x.id === a)) throw new Error(`--arms: '${a}' is not an arm of ${d.name} (arms: ${d.arms.map((x) => x.id).join(", ")})`);
  for (const r of sel.noise ?? []) if (!d.noise.includes(r)) throw new Error(`--noise: ${r} is not a noise level of ${d.name} (${d.noise.join(", ")})`);
  for (const f of sel.folds ?? []) if (!d.folds.includes(f as 1 | 2 | 3)) throw new Error(`--folds: ${f} is not a fold of ${d.name} (${d.folds.join(", ")})`);
  const arms = new Set(sel.arms ?? d.arms.map((a) => a.id));
  const picked = new Set<string>();
  for (const fold of d.folds.filter((f) => !sel.folds || sel.folds.includes(f))) {
    for (const noise of d.noise.filter((r) => !sel.noise || sel.noise.includes(r))) {
      for (const arm of d.arms) {
        if (!arms.has(arm.id) || !(arm.noise ?? d.noise).includes(noise)) continue;
        picked.add(runName(arm.id, noise, fold));
        if (arm.init) picked.add(runName(arm.init, noise, fold));
      }
    }
  }
  // Fold, then noise, then the encoders before the arms that start from them.
  const order = [...d.arms].sort((a, b) => Number(a.init !== undefined) - Number(b.init !== undefined));
  const runs: StudyRun[] = [];
  for (const fold of d.folds) {
    for (const noise of d.noise) {
      for (const arm of order) {
        const name = runName(arm.id, noise, fold);
        if (picked.has(name)) runs.push({ arm, noise, fold, name });
      }
    }
  }
  return runs;
}

/** Where a design's outputs live, resolved against `root` (the working directory). */
export function studyPaths(d: StudyDesign, root = process.cwd()) {
  const out = resolve(root, d.out);
  const prepared = (noise: number) => join(out, `prepared-noise${String(Math.round(100 * noise)).padStart(2, "0")}`);
  return { out, synth: join(out, "synth"), prepared, runs: join(out, "runs"), run: (name: string) => join(out, "runs", name), doc: resolve(root, d.report.doc), plots: resolve(root, d.report.plots), docDir: dirname(resolve(root, d.report.doc)) };
}
