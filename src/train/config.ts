/**
 * The training configuration: one typed, validated object. Defaults come from
 * configs/<dataset>.yaml (the reference recipe), then a --config file, then command-line values.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

export interface TrainConfig {
  /** "BP4D" | "DISFA" (then data_root holds the prepared lists) or a prepared folder path. */
  dataset: string;
  data_root: string;
  fold: 1 | 2 | 3;
  exp_name: string;
  /** Runs go to <out_dir>/<exp_name>. */
  out_dir: string;
  /** "" = CPU; "0" = cuda:0 (the reference's --gpu_ids). */
  gpu_ids: string;
  backbone: string;
  drop_path: number;
  pretrained: string | null;
  info_nce: "enhance";
  supervised: boolean;
  epochs: number;
  batch_size: number;
  lr: number;
  lr_decay_last_epochs: number;
  weight_decay: number;
  betas: [number, number];
  temperature: number;
  seed: number;
  crop_size: number;
  workers: number;
  checkpoint_every: number;
  /** Stop after this many optimisation steps (tests and smoke runs); 0 = no limit. */
  max_steps: number;
}

const BASE: Omit<TrainConfig, "dataset" | "data_root"> = {
  fold: 1, exp_name: "aunce", out_dir: "runs", gpu_ids: "", backbone: "swin_b", drop_path: 0.5, pretrained: null,
  info_nce: "enhance", supervised: false, epochs: 60, batch_size: 32, lr: 1e-5, lr_decay_last_epochs: 1,
  weight_decay: 1e-6, betas: [0.9, 0.999], temperature: 0.5, seed: 3407, crop_size: 224, workers: 0,
  checkpoint_every: 500, max_steps: 0,
};

/** The packaged defaults for a dataset name (configs/bp4d.yaml, configs/disfa.yaml), if any. */
export function datasetDefaults(dataset: string): Partial<TrainConfig> {
  const name = dataset.toLowerCase();
  if (name !== "bp4d" && name !== "disfa") return {};
  const file = fileURLToPath(new URL(`../../configs/${name}.yaml`, import.meta.url));
  return existsSync(file) ? (YAML.parse(readFileSync(file, "utf8")) as Partial<TrainConfig>) : {};
}

/** Reads a YAML config file with a clear error naming it. */
export function readConfigFile(path: string): Partial<TrainConfig> {
  if (!existsSync(path)) throw new Error(`config file not found: ${path}`);
  try {
    const v = YAML.parse(readFileSync(path, "utf8"));
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("expected a mapping of keys to values");
    return v as Partial<TrainConfig>;
  } catch (e) {
    throw new Error(`config file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Parses `key=value` overrides (values as YAML scalars: numbers, booleans, lists). */
export function parseOverrides(pairs: string[]): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects key=value, got '${p}'`);
    out[p.slice(0, eq)] = YAML.parse(p.slice(eq + 1));
  }
  return out as Partial<TrainConfig>;
}

/** Merges the layers (later wins) and validates every field, naming the bad one. */
export function resolveConfig(...layers: Partial<TrainConfig>[]): TrainConfig {
  const merged: Record<string, unknown> = { ...BASE };
  const dataset = [...layers].reverse().find((l) => l.dataset !== undefined)?.dataset;
  if (!dataset) throw new Error("config: dataset is required (BP4D, DISFA or a prepared folder)");
  if (typeof dataset !== "string") throw new Error(`config: dataset must be a name or a folder (BP4D, DISFA or a prepared folder), got ${JSON.stringify(dataset)}`);
  Object.assign(merged, datasetDefaults(dataset));
  for (const l of layers) for (const [k, v] of Object.entries(l)) if (v !== undefined) merged[k] = v;
  const known = new Set([...Object.keys(BASE), "dataset", "data_root"]);
  for (const k of Object.keys(merged)) if (!known.has(k)) throw new Error(`config: unknown key '${k}' (known: ${[...known].sort().join(", ")})`);
  const c = merged as unknown as TrainConfig;
  if (c.data_root === undefined) c.data_root = c.dataset;
  const num = (k: keyof TrainConfig, ok: (v: number) => boolean, what: string) => {
    const v = Number(c[k]);
    if (!Number.isFinite(v) || !ok(v)) throw new Error(`config: ${k} must be ${what}, got ${JSON.stringify(c[k])}`);
    (c as unknown as Record<string, number>)[k] = v;
  };
  const int = (v: number) => Number.isInteger(v);
  num("fold", (v) => v === 1 || v === 2 || v === 3, "1, 2 or 3");
  num("epochs", (v) => int(v) && v >= 1, "a positive integer");
  num("batch_size", (v) => int(v) && v >= 2, "an integer >= 2 (contrastive pairs need two images)");
  num("lr", (v) => v > 0, "> 0");
  num("lr_decay_last_epochs", (v) => int(v) && v >= 0, "an integer >= 0");
  num("weight_decay", (v) => v >= 0, ">= 0");
  num("temperature", (v) => v > 0, "> 0");
  num("seed", (v) => int(v) && v >= 0, "an integer >= 0");
  num("crop_size", (v) => int(v) && v >= 16, "an integer >= 16");
  num("workers", (v) => int(v) && v >= 0, "an integer >= 0");
  num("checkpoint_every", (v) => int(v) && v >= 0, "an integer >= 0");
  num("max_steps", (v) => int(v) && v >= 0, "an integer >= 0");
  num("drop_path", (v) => v >= 0 && v < 1, "in [0, 1)");
  if (!Array.isArray(c.betas) || c.betas.length !== 2 || c.betas.some((b) => !(b >= 0 && b < 1))) {
    throw new Error(`config: betas must be two numbers in [0, 1), got ${JSON.stringify(c.betas)}`);
  }
  if (c.info_nce !== "enhance") throw new Error(`config: info_nce must be 'enhance' (the AUNCE loss), got '${c.info_nce}'`);
  if (!/^[\w.-]+$/.test(String(c.exp_name))) throw new Error(`config: exp_name may use letters, digits, '.', '_' and '-', got '${c.exp_name}'`);
  c.gpu_ids = String(c.gpu_ids ?? "");
  c.supervised = Boolean(c.supervised);
  return c;
}

/** The device a config selects: "cpu" or "cuda:N" from gpu_ids. */
export function deviceOf(c: TrainConfig): string {
  const first = c.gpu_ids.split(",").map((s) => s.trim()).filter(Boolean)[0];
  return first === undefined || first === "-1" ? "cpu" : `cuda:${first}`;
}
