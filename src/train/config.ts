/**
 * The training configuration: one typed, validated object. Defaults come from
 * configs/<dataset>.yaml (the reference recipe), then a --config file, then command-line values.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { deviceFromIds } from "../tensor/index.ts";

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
  /** "cpu", "cuda" or "cuda:N"; "" = from gpu_ids. */
  device: string;
  /** Mixed precision: "off" (float32, the reference), "bf16" (autocast) or "fp16" (autocast + loss scaling). */
  amp: "off" | "bf16" | "fp16";
  /** cuDNN deterministic algorithms, no benchmark search (exactly repeatable GPU runs, slower). */
  deterministic: boolean;
  backbone: string;
  drop_path: number;
  pretrained: string | null;
  /**
   * Train the head only: the backbone's parameters get no gradients and no optimizer state, its
   * batch norms stay in eval mode (running statistics untouched), it runs without autograd.
   */
  freeze_backbone: boolean;
  info_nce: "enhance";
  supervised: boolean;
  /** Data-parallel runs: BatchNorm statistics over the global batch (all ranks), as SyncBatchNorm; false = per process, as DDP. */
  sync_bn: boolean;
  epochs: number;
  batch_size: number;
  lr: number;
  lr_decay_last_epochs: number;
  weight_decay: number;
  betas: [number, number];
  temperature: number;
  /** AUNCE negative re-weighting exponents [anchor has the AU, anchor lacks it] (the paper's 1.2, 0.8; 1, 1 = none). */
  neg_betas: [number, number];
  /** AUNCE positive term: "three" (max / mean / other view, drawn per AU per step, the paper's) or one of them always. */
  positive_types: "three" | "max" | "mean" | "view";
  /** A trained aunce checkpoint whose backbone initialises this run's (fine-tuning an AUNCE encoder); null = none. */
  init_from: string | null;
  seed: number;
  crop_size: number;
  workers: number;
  checkpoint_every: number;
  /** Stop after this many optimisation steps (tests and smoke runs); 0 = no limit. */
  max_steps: number;
}

const BASE: Omit<TrainConfig, "dataset" | "data_root"> = {
  fold: 1, exp_name: "aunce", out_dir: "runs", gpu_ids: "", device: "", amp: "off", deterministic: false, backbone: "swin_b", drop_path: 0.5, pretrained: null, freeze_backbone: false,
  info_nce: "enhance", supervised: false, sync_bn: false, epochs: 60, batch_size: 32, lr: 1e-5, lr_decay_last_epochs: 1,
  weight_decay: 1e-6, betas: [0.9, 0.999], temperature: 0.5, neg_betas: [1.2, 0.8], positive_types: "three", init_from: null, seed: 3407, crop_size: 224, workers: 0,
  checkpoint_every: 500, max_steps: 0,
};

/** Where runs go when out_dir / exp_name are not given. */
export const DEFAULT_LOCATION: Readonly<Pick<TrainConfig, "out_dir" | "exp_name">> = { out_dir: BASE.out_dir, exp_name: BASE.exp_name };

/** How one config key is typed on the command line. */
export interface ConfigKeySpec {
  /** "flag": a boolean switch (--supervised); "pair": two numbers ("0.9,0.999" or "[0.9, 0.999]"). */
  kind: "integer" | "number" | "string" | "flag" | "pair";
  /** The value's placeholder in --help, e.g. "<n>". */
  arg?: string;
  help: string;
  choices?: readonly string[];
}

/**
 * Every config key, in --help order. `aunce train` builds one flag per entry (--key), so a key
 * added to TrainConfig must be added here (the `satisfies` makes the compiler insist).
 */
export const CONFIG_KEYS = {
  dataset: { kind: "string", arg: "<name>", help: "BP4D, DISFA, or a prepared folder (from `aunce prepare`); required unless --resume" },
  data_root: { kind: "string", arg: "<dir>", help: "prepared folder for --dataset BP4D/DISFA" },
  fold: { kind: "integer", arg: "<k>", help: "test fold 1, 2 or 3 (the other two train)" },
  exp_name: { kind: "string", arg: "<name>", help: "run name; output in <out_dir>/<exp_name>" },
  out_dir: { kind: "string", arg: "<dir>", help: "folder for runs" },
  gpu_ids: { kind: "string", arg: "<ids>", help: "GPU ids as in the reference ('' or -1 = CPU)" },
  device: { kind: "string", arg: "<device>", help: "cpu, cuda or cuda:N; overrides --gpu_ids ('' = from --gpu_ids)" },
  amp: { kind: "string", arg: "<mode>", help: "mixed precision: off (float32, the reference), bf16, or fp16 (with loss scaling)", choices: ["off", "bf16", "fp16"] },
  deterministic: { kind: "flag", help: "cuDNN deterministic algorithms, no benchmark search (repeatable GPU runs, slower)" },
  backbone: { kind: "string", arg: "<name>", help: "swin_b, swin_s, swin_t, resnet50, resnet18, ..., faceapi_expression, faceapi_recognition (start from face-api's real-face weights)" },
  drop_path: { kind: "number", arg: "<p>", help: "Swin stochastic-depth rate in [0, 1)" },
  pretrained: { kind: "string", arg: "<file>", help: "ImageNet weights for the backbone (.pth or .safetensors); none are downloaded" },
  freeze_backbone: { kind: "flag", help: "train the head only: backbone weights and batch-norm statistics stay as initialised (--pretrained, or face-api's for faceapi_*)" },
  info_nce: { kind: "string", arg: "<kind>", help: "contrastive loss", choices: ["enhance"] },
  supervised: { kind: "flag", help: "train the supervised ME-GraphAU stage-1 baseline (weighted asymmetric loss)" },
  sync_bn: { kind: "flag", help: "data-parallel runs: BatchNorm statistics over all ranks' batches (SyncBatchNorm); off = per process, as DDP" },
  epochs: { kind: "integer", arg: "<n>", help: "training epochs" },
  batch_size: { kind: "integer", arg: "<n>", help: "images per step (each gives 2 augmented views)" },
  lr: { kind: "number", arg: "<x>", help: "AdamW learning rate" },
  lr_decay_last_epochs: { kind: "integer", arg: "<n>", help: "lr x0.1 in this many last epochs" },
  weight_decay: { kind: "number", arg: "<x>", help: "AdamW weight decay" },
  betas: { kind: "pair", arg: "<b1,b2>", help: "AdamW betas" },
  temperature: { kind: "number", arg: "<tau>", help: "AUNCE temperature" },
  neg_betas: { kind: "pair", arg: "<b+,b->", help: "AUNCE negative re-weighting exponents when the anchor has / lacks the AU (1,1 = no re-weighting)" },
  positive_types: { kind: "string", arg: "<kind>", help: "AUNCE positive term: three (drawn per AU per step) or always max, mean or view", choices: ["three", "max", "mean", "view"] },
  init_from: { kind: "string", arg: "<file>", help: "trained aunce checkpoint whose backbone initialises the run (fine-tuning an AUNCE encoder)" },
  seed: { kind: "integer", arg: "<n>", help: "seed of every random draw" },
  crop_size: { kind: "integer", arg: "<px>", help: "training crop (at most the image size)" },
  workers: { kind: "integer", arg: "<n>", help: "data-loading threads (0 = one per core)" },
  checkpoint_every: { kind: "integer", arg: "<n>", help: "steps between checkpoints (also at every epoch end; 0 = epoch ends only)" },
  max_steps: { kind: "integer", arg: "<n>", help: "stop after n steps (smoke runs; 0 = no limit)" },
} as const satisfies Record<keyof TrainConfig, ConfigKeySpec>;

/** Config keys, in --help order. */
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as (keyof TrainConfig)[];

/** Keys that only say where the run lives; a resume may name them freely. */
export const LOCATION_KEYS: readonly (keyof TrainConfig)[] = ["out_dir", "exp_name"];
/** Keys that set the stopping point; a resume may change them when typed. */
export const STOPPING_KEYS: readonly (keyof TrainConfig)[] = ["epochs", "max_steps"];
/** Keys that change neither the recipe nor the stopping point (threads, save frequency, which device); a resume may change them. */
export const RUNTIME_KEYS: readonly (keyof TrainConfig)[] = ["workers", "checkpoint_every", "gpu_ids", "device"];

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
  if (!Array.isArray(c.neg_betas) || c.neg_betas.length !== 2 || c.neg_betas.some((b) => !(typeof b === "number" && b > 0 && Number.isFinite(b)))) {
    throw new Error(`config: neg_betas must be two numbers > 0, got ${JSON.stringify(c.neg_betas)}`);
  }
  if (!["three", "max", "mean", "view"].includes(String(c.positive_types))) throw new Error(`config: positive_types must be three, max, mean or view, got '${c.positive_types}'`);
  if (c.info_nce !== "enhance") throw new Error(`config: info_nce must be 'enhance' (the AUNCE loss), got '${c.info_nce}'`);
  if (!/^[\w.-]+$/.test(String(c.exp_name))) throw new Error(`config: exp_name may use letters, digits, '.', '_' and '-', got '${c.exp_name}'`);
  for (const k of ["dataset", "data_root", "backbone", "exp_name", "out_dir"] as const) c[k] = String(c[k]);
  if (c.pretrained !== null) c.pretrained = String(c.pretrained);
  if (c.init_from !== null && c.init_from !== "") c.init_from = String(c.init_from);
  else c.init_from = null;
  if (c.init_from !== null && c.pretrained !== null) throw new Error("config: init_from and pretrained both initialise the backbone; give one (an AUNCE encoder trained from --pretrained already holds those weights)");
  c.gpu_ids = String(c.gpu_ids ?? "");
  c.device = String(c.device ?? "");
  if (c.device !== "" && !/^(cpu|cuda(:\d+)?)$/.test(c.device)) throw new Error(`config: device must be cpu, cuda or cuda:N, got '${c.device}'`);
  if (!["off", "bf16", "fp16"].includes(String(c.amp))) throw new Error(`config: amp must be off, bf16 or fp16, got '${c.amp}'`);
  if (typeof c.deterministic === "string") c.deterministic = c.deterministic === "true";
  if (typeof c.deterministic !== "boolean") throw new Error(`config: deterministic must be true or false, got ${JSON.stringify(c.deterministic)}`);
  if (typeof c.supervised === "string") c.supervised = c.supervised === "true";
  if (typeof c.supervised !== "boolean") throw new Error(`config: supervised must be true or false, got ${JSON.stringify(c.supervised)}`);
  if (typeof c.freeze_backbone === "string") c.freeze_backbone = c.freeze_backbone === "true";
  if (typeof c.freeze_backbone !== "boolean") throw new Error(`config: freeze_backbone must be true or false, got ${JSON.stringify(c.freeze_backbone)}`);
  if (typeof c.sync_bn === "string") c.sync_bn = c.sync_bn === "true";
  if (typeof c.sync_bn !== "boolean") throw new Error(`config: sync_bn must be true or false, got ${JSON.stringify(c.sync_bn)}`);
  return c;
}

/** The device a config selects: `device` when set, else "cpu" or "cuda:N" from gpu_ids. */
export function deviceOf(c: TrainConfig): string {
  return deviceFromIds(c.device, c.gpu_ids);
}

/** Turns a flag's text into the key's value ("0.9,0.999" -> [0.9, 0.999] for pairs); resolveConfig validates it. */
export function parseFlagValue(key: keyof TrainConfig, text: string): unknown {
  const spec: ConfigKeySpec = CONFIG_KEYS[key];
  if (spec.kind !== "pair") return text;
  const v: unknown = text.trim().startsWith("[") ? YAML.parse(text) : text.split(",").map((x) => Number(x.trim()));
  return v;
}

/** The default of `key` for each kind of --dataset: BP4D, DISFA (configs/*.yaml) and a prepared folder. */
export function defaultsOf(key: keyof TrainConfig): { BP4D: unknown; DISFA: unknown; folder: unknown } {
  const base = BASE as Partial<TrainConfig>;
  const of = (name: string) => ({ ...base, ...datasetDefaults(name) })[key];
  return { BP4D: of("bp4d"), DISFA: of("disfa"), folder: key === "data_root" ? undefined : base[key] };
}

function showValue(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (v === "") return "''";
  if (Array.isArray(v)) return v.join(",");
  if (typeof v === "number" && v !== 0 && Math.abs(v) < 1e-3) return v.toExponential();
  return String(v);
}

/**
 * The default of `key` as --help shows it: one value, or one per kind of --dataset where they
 * differ; null for `dataset`, which has none.
 */
export function defaultText(key: keyof TrainConfig): string | null {
  if (key === "dataset") return null;
  const d = defaultsOf(key);
  if (key === "data_root") return `${showValue(d.BP4D)} for BP4D, ${showValue(d.DISFA)} for DISFA`;
  const same = JSON.stringify(d.BP4D) === JSON.stringify(d.DISFA) && JSON.stringify(d.BP4D) === JSON.stringify(d.folder);
  if (key === "supervised") return d.BP4D ? "on" : "off";
  return same ? showValue(d.BP4D) : `${showValue(d.BP4D)} for BP4D, ${showValue(d.DISFA)} for DISFA, ${showValue(d.folder)} for a folder`;
}

/** One setting a resume changed (stopping point, threads or save frequency). */
export interface ResumeChange {
  key: keyof TrainConfig;
  from: unknown;
  to: unknown;
}

const PATH_KEYS: readonly (keyof TrainConfig)[] = ["data_root", "pretrained", "init_from"];

/** Whether two values of `key` name the same setting (dataset names ignore case, paths are resolved). */
function sameSetting(key: keyof TrainConfig, a: unknown, b: unknown): boolean {
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  if (typeof a !== "string" || typeof b !== "string") return false;
  if (key === "dataset") {
    const named = (s: string) => ["BP4D", "DISFA"].includes(s.toUpperCase());
    return named(a) || named(b) ? a.toUpperCase() === b.toUpperCase() : resolve(a) === resolve(b);
  }
  return PATH_KEYS.includes(key) && resolve(a) === resolve(b);
}

/**
 * The config of a resumed run: the saved one. Of the keys in `given` (what the user typed, or a
 * whole config from the library), the stopping point (epochs, max_steps), the data-loading threads,
 * the save frequency and the run's location may change; any other given value that differs from
 * the saved one is an error naming both. `source` names where the saved config came from.
 */
export function resumeConfig(saved: TrainConfig, given: Partial<TrainConfig>, source: string): { config: TrainConfig; changes: ResumeChange[] } {
  const before = resolveConfig(saved);
  const typed = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  const after = resolveConfig(before, typed);
  const conflicts: string[] = [];
  const changes: ResumeChange[] = [];
  for (const key of CONFIG_KEY_NAMES.filter((k) => k in typed)) {
    if (LOCATION_KEYS.includes(key)) continue;
    if (sameSetting(key, after[key], before[key])) {
      (after as unknown as Record<string, unknown>)[key] = before[key]; // keep the saved spelling
      continue;
    }
    if (STOPPING_KEYS.includes(key) || RUNTIME_KEYS.includes(key)) changes.push({ key, from: before[key], to: after[key] });
    else conflicts.push(`--${key} ${showValue(after[key])} contradicts the saved ${key} ${showValue(before[key])}`);
  }
  if (conflicts.length) {
    throw new Error(`--resume continues the saved run (${source}) with its own settings: ${conflicts.join("; ")}. Drop ${conflicts.length > 1 ? "those flags" : "that flag"}, or start a new run with another --exp_name`);
  }
  return { config: after, changes };
}
