/**
 * Our own checkpoints: one safetensors file whose `__metadata__` carries JSON strings under
 * `aunce.*` keys, so any safetensors reader can open the weights and `aunce inspect` can show how
 * they were trained. Training state (step, epoch, optimizer moments, RNG) rides along optionally,
 * its tensors under the `training/` name prefix (model keys never contain '/').
 */
import { readWholeFile, writeAtomic } from "./files.ts";
import type { RawStateDict, RawTensor } from "./raw.ts";
import { parseSafetensors, safetensorsChunks } from "./safetensors.ts";

/** The metadata version this code writes; readers refuse newer ones. */
export const AUNCE_FORMAT_VERSION = 1;

const TRAINING_PREFIX = "training/";

/** What an AUNCE checkpoint records besides the weights. */
export interface AunceCheckpointMeta {
  /** AU numbers in output order, e.g. [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24] for BP4D. */
  aus: number[];
  /** Backbone name as registered, e.g. "swin_b". */
  backbone: string;
  /** Per-channel input normalisation (RGB, after scaling to [0, 1]). */
  normalisation: { mean: number[]; std: number[] };
  /** The full typed config the model/run was built from (JSON-serialisable). */
  config: Record<string, unknown>;
}

/** Optional state for an exact resume. */
export interface AunceTrainingState {
  /** JSON-serialisable scalars: epoch, step, RNG seeds, scheduler position, ... */
  state: Record<string, unknown>;
  /** Optimizer moments and other tensors, by name. */
  tensors?: RawStateDict;
}

/** A whole checkpoint in memory. */
export interface AunceCheckpoint {
  meta: AunceCheckpointMeta;
  model: RawStateDict;
  training?: AunceTrainingState;
}

/** Encodes a checkpoint as safetensors chunks (header first). */
export function encodeAunceCheckpoint(ck: AunceCheckpoint): Uint8Array[] {
  validateMeta(ck.meta, "checkpoint");
  const metadata: Record<string, string> = {
    "aunce.format_version": String(AUNCE_FORMAT_VERSION),
    "aunce.aus": JSON.stringify(ck.meta.aus),
    "aunce.backbone": ck.meta.backbone,
    "aunce.normalisation": JSON.stringify(ck.meta.normalisation),
    "aunce.config": JSON.stringify(ck.meta.config),
  };
  const entries: [string, RawTensor][] = [];
  for (const [k, v] of ck.model) {
    if (k.startsWith(TRAINING_PREFIX)) throw new Error(`model tensor '${k}' uses the reserved prefix '${TRAINING_PREFIX}'`);
    entries.push([k, v]);
  }
  if (ck.training) {
    metadata["aunce.training"] = JSON.stringify(ck.training.state);
    for (const [k, v] of ck.training.tensors ?? []) entries.push([TRAINING_PREFIX + k, v]);
  }
  return safetensorsChunks(entries, metadata);
}

/** Writes a checkpoint atomically to `path` (.safetensors). */
export async function writeAunceCheckpoint(path: string, ck: AunceCheckpoint): Promise<void> {
  await writeAtomic(path, encodeAunceCheckpoint(ck));
}

function parseJson(metadata: Record<string, string>, key: string, source: string): unknown {
  const text = metadata[key];
  if (text === undefined) throw new Error(`${source}: not an aunce checkpoint: metadata '${key}' is missing`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: metadata '${key}' is not valid JSON (${(err as Error).message})`);
  }
}

function validateMeta(m: AunceCheckpointMeta, source: string): void {
  const nums = (x: unknown) => Array.isArray(x) && x.every((v) => typeof v === "number" && Number.isFinite(v));
  if (!nums(m.aus) || m.aus.length === 0) throw new Error(`${source}: aunce.aus must be a non-empty list of AU numbers, got ${JSON.stringify(m.aus)}`);
  if (typeof m.backbone !== "string" || !m.backbone) throw new Error(`${source}: aunce.backbone must be a non-empty string`);
  const n = m.normalisation;
  if (typeof n !== "object" || n === null || !nums(n.mean) || !nums(n.std) || n.mean.length !== n.std.length) {
    throw new Error(`${source}: aunce.normalisation must be {mean: number[], std: number[]} of equal length, got ${JSON.stringify(n)}`);
  }
  if (typeof m.config !== "object" || m.config === null || Array.isArray(m.config)) throw new Error(`${source}: aunce.config must be a JSON object`);
}

/** Decodes a checkpoint from bytes; `source` names it in errors. */
export function parseAunceCheckpoint(bytes: Uint8Array, source = "checkpoint"): AunceCheckpoint {
  const { tensors, metadata } = parseSafetensors(bytes, source);
  const version = Number(metadata["aunce.format_version"]);
  if (!Number.isInteger(version)) throw new Error(`${source}: not an aunce checkpoint: metadata 'aunce.format_version' is missing`);
  if (version > AUNCE_FORMAT_VERSION) {
    throw new Error(`${source}: aunce checkpoint format ${version} is newer than this version reads (${AUNCE_FORMAT_VERSION})`);
  }
  const backbone = metadata["aunce.backbone"];
  if (backbone === undefined) throw new Error(`${source}: not an aunce checkpoint: metadata 'aunce.backbone' is missing`);
  const meta: AunceCheckpointMeta = {
    aus: parseJson(metadata, "aunce.aus", source) as number[],
    backbone,
    normalisation: parseJson(metadata, "aunce.normalisation", source) as AunceCheckpointMeta["normalisation"],
    config: parseJson(metadata, "aunce.config", source) as Record<string, unknown>,
  };
  validateMeta(meta, source);
  const model: RawStateDict = new Map();
  const trainTensors: RawStateDict = new Map();
  for (const [k, v] of tensors) {
    if (k.startsWith(TRAINING_PREFIX)) trainTensors.set(k.slice(TRAINING_PREFIX.length), v);
    else model.set(k, v);
  }
  const ck: AunceCheckpoint = { meta, model };
  if (metadata["aunce.training"] !== undefined) {
    ck.training = { state: parseJson(metadata, "aunce.training", source) as Record<string, unknown>, tensors: trainTensors };
  }
  return ck;
}

/** Reads an aunce checkpoint (.safetensors) from `path`. */
export async function readAunceCheckpoint(path: string): Promise<AunceCheckpoint> {
  return parseAunceCheckpoint(await readWholeFile(path), path);
}
