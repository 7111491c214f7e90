/**
 * Weights in and out of modules. src/models/checkpoint/ reads and writes files as engine-free
 * RawTensor maps; this file joins them to modules:
 * - moduleToRaw / loadRawIntoModule: a module's state dict <-> RawStateDict, with torch's
 *   strict/non-strict report (missing, unexpected, shape mismatches, by name);
 * - loadPretrained: any checkpoint file (official Swin `{'model': sd}`, torchvision or timm ResNet,
 *   timm Swin, trained AUNCE / ME-GraphAU checkpoints with `module.` and `backbone.` prefixes) into a
 *   backbone or a whole AU model, the naming detected from the keys;
 * - saveModelCheckpoint / loadModelCheckpoint: our own format (safetensors + aunce.* metadata).
 */
import { fromBytes, noGrad, toBytes, type Tensor } from "../tensor/index.ts";
import type { Module } from "../nn/index.ts";
import { AuModel, type Backbone } from "./au-model.ts";
import { SwinTransformer } from "./backbones/swin.ts";
import {
  compareStateDict,
  readAunceCheckpoint,
  readStateDict,
  subStateDict,
  timmSwinToOfficial,
  writeAunceCheckpoint,
  type AunceCheckpointMeta,
  type AunceTrainingState,
  type LoadReport,
  type RawDType,
  type RawStateDict,
  type TensorSpec,
} from "./checkpoint/index.ts";
import { createAuModel, type AuModelSpec } from "./registry.ts";

/** A module's parameters and persistent buffers as raw records (copies), in state-dict order. */
export function moduleToRaw(m: Module): RawStateDict {
  const out: RawStateDict = new Map();
  for (const [k, t] of m.stateDict()) out.set(k, { dtype: t.dtype as RawDType, shape: [...t.shape], data: toBytes(t) });
  return out;
}

/** What a module expects of each state-dict entry. */
export function moduleSpecs(m: Module): Map<string, TensorSpec> {
  return new Map([...m.stateDict()].map(([k, t]) => [k, { dtype: t.dtype as RawDType, shape: [...t.shape] }]));
}

/** Options of loadRawIntoModule. */
export interface LoadIntoOptions {
  /** Throw (listing every difference by name) before changing anything (default true). */
  strict?: boolean;
  /** Expected names that may be absent (kept as they are). */
  allowMissing?: RegExp[];
  /** File names to ignore (e.g. a classifier the model does not have). */
  allowUnexpected?: RegExp[];
  /** Names the file in errors. */
  source?: string;
}

/**
 * Copies `sd` into `m` (values converted to the module's dtypes). Strict mode throws an Error that
 * lists missing and unexpected keys and shape mismatches; non-strict loads what matches and
 * returns the same report.
 */
export function loadRawIntoModule(m: Module, sd: RawStateDict, opts: LoadIntoOptions = {}): LoadReport {
  const specs = moduleSpecs(m);
  const report = compareStateDict(specs, sd, { strict: opts.strict ?? true, allowMissing: opts.allowMissing, allowUnexpected: opts.allowUnexpected, source: opts.source });
  const tensors = new Map<string, Tensor>();
  try {
    for (const [k, spec] of specs) {
      const r = sd.get(k);
      if (!r || r.shape.length !== spec.shape.length || r.shape.some((d, i) => d !== spec.shape[i])) continue;
      tensors.set(k, fromBytes(r.data, r.shape, r.dtype));
    }
    noGrad(() => m.loadStateDict(tensors, { strict: false }));
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return report;
}

const isSwin = (m: Module): m is SwinTransformer => m instanceof SwinTransformer;

/**
 * Brings a backbone state dict to our naming for `backbone`: timm Swin -> official (renames,
 * derived buffers), and drops what the module does not have (the ImageNet classifier).
 */
function adaptBackboneState(backbone: Backbone, sd: RawStateDict): { sd: RawStateDict; allowUnexpected: RegExp[]; allowMissing: RegExp[] } {
  const allowUnexpected: RegExp[] = [];
  const allowMissing: RegExp[] = [];
  if (isSwin(backbone)) {
    const timmNamed = sd.has("head.fc.weight") || [...sd.keys()].some((k) => /^layers\.[1-9]\d*\.downsample\./.test(k) && !sd.has(k.replace(/^layers\.(\d+)/, (_m, i) => `layers.${Number(i) - 1}`)));
    if (timmNamed) {
      const c = backbone.config;
      sd = timmSwinToOfficial(sd, { imgSize: c.imgSize ?? 224, patchSize: c.patchSize ?? 4, windowSize: c.windowSize ?? 7, depths: c.depths });
    }
    // The index and masks are derived from the geometry; ours equal the release's bit for bit, and
    // a file saved for another input size has other mask shapes: keep ours.
    sd = new Map([...sd].filter(([k]) => !/\.(relative_position_index|attn_mask)$/.test(k)));
    allowMissing.push(/\.(relative_position_index|attn_mask)$/);
    if (!backbone.head) allowUnexpected.push(/^head\./);
  } else if (!(backbone as { fc?: unknown }).fc) {
    allowUnexpected.push(/^fc\./);
  }
  return { sd, allowUnexpected, allowMissing };
}

/** Options of loadPretrained. */
export interface PretrainedOptions {
  strict?: boolean;
  /** Names the source in errors (default the path). */
  source?: string;
}

/**
 * Loads a state dict (already read) into a backbone or an AU model:
 * - into an AU model: a full AUNCE / ME-GraphAU state dict (`backbone.*`, `global_linear.*`,
 *   `head.*`), or backbone-only ImageNet weights (then only the backbone is loaded and checked);
 * - into a backbone: ImageNet weights, or the `backbone.*` part of a trained AU checkpoint.
 */
export function loadPretrainedState(m: AuModel | Backbone, sd: RawStateDict, opts: PretrainedOptions = {}): LoadReport {
  const hasPrefix = [...sd.keys()].some((k) => k.startsWith("backbone."));
  if (m instanceof AuModel) {
    if (!hasPrefix) return loadPretrainedState(m.backbone, sd, opts);
    const { sd: bsd, allowMissing } = adaptBackboneState(m.backbone, subStateDict(sd, "backbone."));
    const rest = new Map([...sd].filter(([k]) => !k.startsWith("backbone.")));
    const merged: RawStateDict = new Map([...[...bsd].map(([k, v]) => [`backbone.${k}`, v] as const), ...rest]);
    return loadRawIntoModule(m, merged, { strict: opts.strict, source: opts.source, allowMissing: allowMissing.map((re) => new RegExp(`^backbone\\.[^]*${re.source}`)) });
  }
  const own = hasPrefix ? subStateDict(sd, "backbone.") : sd;
  const adapted = adaptBackboneState(m, own);
  return loadRawIntoModule(m, adapted.sd, { strict: opts.strict, source: opts.source, allowMissing: adapted.allowMissing, allowUnexpected: adapted.allowUnexpected });
}

/** Reads any checkpoint file (safetensors, .pth zip or legacy; `module.` stripped) and loads it as loadPretrainedState. */
export async function loadPretrained(m: AuModel | Backbone, path: string, opts: PretrainedOptions = {}): Promise<LoadReport> {
  const sd = await readStateDict(path);
  return loadPretrainedState(m, sd, { ...opts, source: opts.source ?? path });
}

/** Metadata of our checkpoints; `config.model` is what createAuModel rebuilds the network from. */
export interface ModelCheckpointMeta extends Omit<AunceCheckpointMeta, "config" | "backbone"> {
  config: Record<string, unknown> & { model: AuModelSpec };
}

/** Saves an AU model with its metadata (AU list, backbone, normalisation, config) and optional training state. */
export async function saveModelCheckpoint(path: string, model: AuModel, meta: ModelCheckpointMeta, training?: AunceTrainingState): Promise<void> {
  if (meta.aus.length !== model.head.numAus) throw new RangeError(`saveModelCheckpoint: ${meta.aus.length} AUs in the metadata, the model has ${model.head.numAus}`);
  await writeAunceCheckpoint(path, { meta: { ...meta, backbone: meta.config.model.backbone }, model: moduleToRaw(model), ...(training ? { training } : {}) });
}

/** Rebuilds the AU model a checkpoint describes and loads its weights strictly. */
export async function loadModelCheckpoint(path: string): Promise<{ model: AuModel; meta: AunceCheckpointMeta; training?: AunceTrainingState }> {
  const ck = await readAunceCheckpoint(path);
  const spec = ck.meta.config.model as AuModelSpec | undefined;
  if (!spec || typeof spec !== "object" || typeof spec.backbone !== "string" || typeof spec.numAus !== "number") {
    throw new Error(`${path}: aunce.config.model must describe the network ({backbone, numAus, ...}), got ${JSON.stringify(spec)}`);
  }
  const model = createAuModel(spec);
  try {
    loadRawIntoModule(model, ck.model, { strict: true, source: path });
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, meta: ck.meta, ...(ck.training ? { training: ck.training } : {}) };
}
