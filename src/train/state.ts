/**
 * Training checkpoints: the model with its metadata plus everything an exact resume needs —
 * epoch and next batch, step count, optimizer moments, libtorch's RNG state — in one safetensors
 * file written atomically (see src/models/checkpoint/aunce-format.ts).
 */
import { existsSync } from "node:fs";
import { MEAN, STD } from "../data/index.ts";
import type { AuModel } from "../models/au-model.ts";
import type { AuModelSpec } from "../models/registry.ts";
import { saveModelCheckpoint } from "../models/io.ts";
import { readAunceCheckpoint } from "../models/checkpoint/index.ts";
import type { Optimizer } from "../nn/index.ts";
import { getCudaRngState, getRngState } from "../tensor/index.ts";
import type { GradScalerState } from "../nn/index.ts";
import type { TrainConfig } from "./config.ts";

/** Where a run stands; saved in every checkpoint. */
export interface Progress {
  epoch: number;
  /** Next batch of `epoch` to train on. */
  batch: number;
  step: number;
}

export interface ResumeState extends Progress {
  optimizer: Uint8Array;
  rng: Uint8Array;
  /** The training GPU's generator state (dropout/drop-path draws on CUDA), when it trained on one. */
  cudaRng: Uint8Array | null;
  /** float16 loss scaler's state, when it trained with --amp fp16. */
  scaler: GradScalerState | null;
  config: TrainConfig;
  /** Processes of the data-parallel run that wrote it (1: a single process). */
  worldSize: number;
  /** Each rank's CPU generator state (rank 0's is `rng`). */
  rankRngs: Uint8Array[];
}

const bytesTensor = (b: Uint8Array) => ({ dtype: "uint8" as const, shape: [b.length], data: b });

/** Saves model + training state to `path` (atomic). */
export async function saveTrainingCheckpoint(
  path: string, model: AuModel, spec: AuModelSpec, aus: readonly number[], config: TrainConfig, opt: Optimizer, progress: Progress,
  extra: { cudaIndex?: number | null; scaler?: GradScalerState | null; rankRngs?: Uint8Array[] } = {},
): Promise<void> {
  const ranks = extra.rankRngs ?? [getRngState()];
  const tensors = new Map([["optimizer", bytesTensor(opt.stateBytes())], ["rng", bytesTensor(ranks[0])]]);
  for (let r = 1; r < ranks.length; r++) tensors.set(`rng_rank${r}`, bytesTensor(ranks[r]));
  if (extra.cudaIndex !== undefined && extra.cudaIndex !== null) tensors.set("cuda_rng", bytesTensor(getCudaRngState(extra.cudaIndex)));
  await saveModelCheckpoint(
    path,
    model,
    { aus: [...aus], normalisation: { mean: [...MEAN], std: [...STD] }, config: { model: spec, train: { ...config } } },
    {
      state: { ...progress, ...(ranks.length > 1 ? { worldSize: ranks.length } : {}), kind: config.supervised ? "supervised" : "aunce", ...(extra.scaler ? { scaler: extra.scaler } : {}) },
      tensors,
    },
  );
}

/** Reads the resume state of a checkpoint (the weights are loaded separately). */
export async function readResumeState(path: string): Promise<ResumeState> {
  if (!existsSync(path)) throw new Error(`no checkpoint to resume from at ${path}`);
  const ck = await readAunceCheckpoint(path);
  const t = ck.training;
  const opt = t?.tensors?.get("optimizer");
  const rng = t?.tensors?.get("rng");
  if (!t || !opt || !rng) throw new Error(`${path} holds no training state (it is a model-only checkpoint)`);
  const s = t.state as unknown as Progress & { scaler?: GradScalerState; worldSize?: number };
  const worldSize = s.worldSize ?? 1;
  const rankRngs = [rng.data];
  for (let r = 1; r < worldSize; r++) {
    const b = t.tensors?.get(`rng_rank${r}`);
    if (!b) throw new Error(`${path} was written by a ${worldSize}-process run but lacks rank ${r}'s RNG state`);
    rankRngs.push(b.data);
  }
  return {
    worldSize, rankRngs,
    epoch: s.epoch, batch: s.batch, step: s.step, optimizer: opt.data, rng: rng.data,
    cudaRng: t.tensors?.get("cuda_rng")?.data ?? null, scaler: s.scaler ?? null,
    config: (ck.meta.config as { train: TrainConfig }).train,
  };
}
