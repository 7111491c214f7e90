/**
 * The training loop, in nanoGPT's order: data -> model -> optimizer -> loop -> checkpoint.
 * AUNCE pre-training (two views, two forward passes, the AUNCE loss) or, with `supervised`, the
 * ME-GraphAU stage-1 baseline (one view, weighted asymmetric loss). Exact resume: data order,
 * augmentations, the AUNCE positive-type draws, dropout/drop-path draws, optimizer moments and
 * the lr schedule all come back as they were.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { AuDataset, DataLoader, Rng, ausOf, batchToTensors, parseDatasetName, type DatasetName } from "../data/index.ts";
import { AUNCE_DEFAULTS, aunceLoss, weightedAsymmetricLoss } from "../losses/index.ts";
import type { AuModel } from "../models/au-model.ts";
import { loadPretrained, loadRawIntoModule } from "../models/io.ts";
import { createAuModel, modelInfo, type AuModelSpec } from "../models/registry.ts";
import { readAunceCheckpoint } from "../models/checkpoint/index.ts";
import { AdamW, convertSyncBatchNorm, GradScaler } from "../nn/index.ts";
import {
  autocast, cat, checkDevice, cudaMemory, cudaResetPeakMemory, fromArray, getRngState, isOutOfMemory, manualSeed, noGrad, setCudaRngState, setCudnn, setRngState, tidy,
  type Tensor,
} from "../tensor/index.ts";
import { DEFAULT_LOCATION, deviceOf, resolveConfig, resumeConfig, type ResumeChange, type TrainConfig } from "./config.ts";
import { checkCropFits, checkInitFrom, checkPretrained } from "./preflight.ts";
import { checkRunDirWritable, JsonlLog, prepareRunDir, truncateLogAfter, writeJsonAtomic } from "./run-dir.ts";
import { learningRate } from "./schedule.ts";
import { readResumeState, saveTrainingCheckpoint, type Progress } from "./state.ts";
import { anyRank, broadcastModule, gatherBytes, GradientSync, meanOverRanks, type DistContext } from "./distributed.ts";

/** Where a resumed run picked up, and what the resume changed. */
export interface ResumedFrom extends Progress {
  checkpoint: string;
  changes: ResumeChange[];
  /** Log lines past the checkpoint (a run killed between two checkpoints) that were dropped. */
  droppedLogLines: number;
}

/** Events a caller (the CLI's progress bar, tests) can listen to. */
export interface TrainEvents {
  /** `config` is the run's effective config (for a resume, the saved one); `resumed` says from where. */
  start?(info: { stepsPerEpoch: number; totalSteps: number; step: number; parameters: number; runDir: string; config: TrainConfig; resumed?: ResumedFrom }): void;
  step?(s: { epoch: number; batch: number; step: number; loss: number; lr: number; imagesPerSec: number }): void;
  epoch?(e: { epoch: number; meanLoss: number }): void;
  checkpoint?(path: string): void;
}

export interface TrainOptions {
  /** Continue the run in <out_dir>/<exp_name> from its checkpoint (see resumeConfig for what may change). */
  resume?: boolean;
  events?: TrainEvents;
  signal?: AbortSignal;
  /**
   * Train as one rank of a data-parallel run (see docs/distributed.md): batch_size is the global
   * batch, split evenly over the ranks; only rank 0 writes the run folder.
   */
  dist?: DistContext;
}

export interface TrainResult {
  runDir: string;
  checkpoint: string;
  steps: number;
  stopped: "done" | "interrupted" | "max_steps";
  /** The loss of every step this call ran, in order. */
  losses: number[];
}

/** The run folder of a config: <out_dir>/<exp_name>. */
export const runDirOf = (c: Pick<TrainConfig, "out_dir" | "exp_name">) => resolve(c.out_dir, c.exp_name);

/** The dataset name and prepared folder a config points at. */
export function dataSource(c: TrainConfig): { dir: string; dataset?: DatasetName } {
  const upper = c.dataset.toUpperCase();
  if (upper === "BP4D" || upper === "DISFA") return { dir: c.data_root, dataset: parseDatasetName(upper) };
  return { dir: c.dataset };
}

/** The network a config trains. */
export function modelSpec(c: TrainConfig, numAus: number): AuModelSpec {
  // Stochastic depth and the build size are Swin options; ResNets have neither.
  const swin = modelInfo(c.backbone).family === "swin";
  return { backbone: c.backbone, numAus, method: c.supervised ? "megraphau" : "aunce", ...(swin ? { backboneOptions: { dropPathRate: c.drop_path, imgSize: c.crop_size } } : {}) };
}

/** The AUNCE draw thresholds that make `positive_types` the positive term (see aunceLoss): three = the paper's 0.2 / 0.8. */
export function positiveThresholds(kind: TrainConfig["positive_types"]): [number, number] {
  switch (kind) {
    case "max": return [1, 1];
    case "mean": return [0, 1];
    case "view": return [0, 0];
    default: return [AUNCE_DEFAULTS.thresholds[0], AUNCE_DEFAULTS.thresholds[1]];
  }
}

/** Throws when a resumed run has nothing left to do under its stopping point. */
function checkWorkLeft(c: TrainConfig, at: Progress, perEpoch: number, runDir: string): void {
  if (c.max_steps > 0 && at.step >= c.max_steps) {
    throw new Error(`${runDir} already stopped at max_steps ${c.max_steps} (step ${at.step}); resume with --max_steps N (more steps, or 0 = no limit) to train further`);
  }
  if (at.epoch >= c.epochs || (at.epoch === c.epochs - 1 && at.batch >= perEpoch)) {
    const done = at.batch >= perEpoch ? at.epoch + 1 : at.epoch;
    throw new Error(`${runDir} has already trained ${done} epoch(s) (step ${at.step}) of epochs ${c.epochs}; resume with --epochs N (N > ${done}) to train further`);
  }
}

/**
 * Trains per `config`. With `resume`, continues the run in <out_dir>/<exp_name> from its
 * checkpoint: `config` may then be partial (the location plus what the caller wants changed); the
 * saved config is the run's, and resumeConfig says what may differ. Every input and the output
 * folder are checked before anything is created.
 */
export async function train(config: TrainConfig, opts?: TrainOptions): Promise<TrainResult>;
export async function train(config: Partial<TrainConfig>, opts: TrainOptions & { resume: true }): Promise<TrainResult>;
export async function train(given: Partial<TrainConfig>, opts: TrainOptions = {}): Promise<TrainResult> {
  const location = { out_dir: given.out_dir ?? DEFAULT_LOCATION.out_dir, exp_name: given.exp_name ?? DEFAULT_LOCATION.exp_name };
  const runDir = runDirOf(location);
  const ckptPath = join(runDir, "last.safetensors");
  let resume: Awaited<ReturnType<typeof readResumeState>> | undefined;
  let config: TrainConfig;
  let changes: ResumeChange[] = [];
  if (opts.resume) {
    resume = await readResumeState(ckptPath);
    // The saved recipe wins (a resumed run is the same run); only the stopping point may change.
    ({ config, changes } = resumeConfig(resume.config, { ...given, ...location }, ckptPath));
  } else {
    config = resolveConfig(given);
    if (existsSync(ckptPath)) throw new Error(`${runDir} already holds a run; continue it with --resume or choose another --exp_name`);
  }
  const dist = opts.dist && opts.dist.worldSize > 1 ? opts.dist : undefined;
  const world = dist?.worldSize ?? 1;
  const rank0 = !dist || dist.rank === 0;
  if (config.batch_size % world !== 0) throw new Error(`batch_size ${config.batch_size} (the global batch) does not split evenly over ${world} processes; choose a multiple of ${world}`);
  if (resume && resume.worldSize !== world) {
    throw new Error(`${ckptPath} was written by a ${resume.worldSize}-process run; resume it with ${resume.worldSize} process(es) (--nproc_per_node / WORLD_SIZE), not ${world}, for an exact continuation`);
  }
  const device = checkDevice(deviceOf(config));
  const cuda = device.startsWith("cuda");
  const cudaIndex = cuda ? Number(device.slice(5)) : 0;
  if (cuda) setCudnn({ deterministic: config.deterministic, benchmark: !config.deterministic });
  // Mixed precision: autocast on the training device; float16 also scales the loss (bf16 needs no scaler).
  const amp = config.amp;
  const ampDtype = amp === "fp16" ? "float16" : "bfloat16";
  const scaler = new GradScaler({ enabled: amp === "fp16" });
  const withAmp = <T>(fn: () => T): T => (amp === "off" ? fn() : autocast(cuda ? "cuda" : "cpu", ampDtype, fn));

  // Inputs and output, before anything is created or computed.
  const src = dataSource(config);
  const ds = AuDataset.open(src.dir, config.fold, "train", src.dataset ? { dataset: src.dataset } : {});
  const perEpoch = Math.floor(ds.length / config.batch_size);
  if (perEpoch === 0) throw new Error(`training fold ${config.fold} has ${ds.length} images, fewer than one batch of ${config.batch_size}`);
  await checkCropFits(ds, config.crop_size);
  if (resume) checkWorkLeft(config, resume, perEpoch, runDir);
  else {
    checkPretrained(config.pretrained);
    if (config.init_from) await checkInitFrom(config.init_from);
  }
  checkRunDirWritable(runDir);

  // data
  const aus = ausOf(ds.dataset);
  const loader = new DataLoader(ds, {
    batchSize: config.batch_size / world, mode: "train", views: config.supervised ? 1 : 2, seed: config.seed, dropLast: true,
    ...(dist ? { shard: { rank: dist.rank, worldSize: world } } : {}),
    workers: config.workers || availableParallelism(), augment: { cropSize: config.crop_size },
  });

  // model and optimizer
  manualSeed(config.seed);
  const spec = modelSpec(config, aus.length);
  const model: AuModel = createAuModel(spec);
  if (cuda) model.toDevice(device); // before the optimizer, which keeps the parameters' handles
  // A frozen backbone: no gradients, no optimizer state, no weight decay; the optimizer holds the head.
  if (config.freeze_backbone) for (const q of model.backbone.parameters()) q.requiresGrad = false;
  const backboneParams = new Set(config.freeze_backbone ? model.backbone.parameters() : []);
  const params = model.parameters().filter((q) => !backboneParams.has(q));
  const opt = new AdamW(params, { lr: config.lr, betas: config.betas, weightDecay: config.weight_decay });
  const weights = ds.weights ? fromArray(Float32Array.from(ds.weights), [ds.weights.length], { device }) : null;
  // Data-parallel: gradients averaged over ranks in buckets; BatchNorm over the global batch with sync_bn.
  const sync = dist ? new GradientSync(params, dist.group, { overlap: dist.overlap ?? true }) : null;
  if (dist && config.sync_bn) convertSyncBatchNorm(model, dist.group);
  try {
    if (rank0) prepareRunDir(runDir, 3 * model.numParameters() * 4 + 2 ** 20);
    let resumed: ResumedFrom | undefined;
    const logPath = join(runDir, "log.jsonl");
    if (resume) {
      loadRawIntoModule(model, (await readAunceCheckpoint(ckptPath)).model, { strict: true, source: ckptPath });
      opt.loadStateBytes(resume.optimizer);
      setRngState(resume.rankRngs[dist?.rank ?? 0]);
      if (cuda && resume.cudaRng) setCudaRngState(cudaIndex, resume.cudaRng);
      if (resume.scaler) scaler.load(resume.scaler);
      const at = { epoch: resume.epoch, batch: resume.batch, step: resume.step };
      resumed = { ...at, checkpoint: ckptPath, changes, droppedLogLines: rank0 ? truncateLogAfter(logPath, resume.step) : 0 };
    } else if (config.pretrained) {
      await loadPretrained(model, config.pretrained);
    } else if (config.init_from) {
      // Only the backbone carries over: the heads differ in width between the two methods.
      await loadPretrained(model.backbone, config.init_from, { strict: true });
    }
    if (dist) {
      // Every rank starts from rank 0's weights and buffers (as DDP); a fresh run's other ranks
      // then draw their own dropout / drop-path stream.
      broadcastModule(model, dist.group);
      if (!resume && dist.rank > 0) manualSeed(config.seed + dist.rank);
    }
    if (rank0) writeJsonAtomic(join(runDir, "config.json"), config);
    const log = rank0 ? new JsonlLog(logPath) : null;
    if (resumed) log?.write({ event: "resume", ...resumed, ...(dist ? { worldSize: world } : {}), config });
    else log?.write({ event: "start", step: 0, ...(dist ? { worldSize: world } : {}), config });

    const total = config.epochs * perEpoch;
    let p: Progress = resume ? { epoch: resume.epoch, batch: resume.batch, step: resume.step } : { epoch: 0, batch: 0, step: 0 };
    opts.events?.start?.({ stepsPerEpoch: perEpoch, totalSteps: total, step: p.step, parameters: model.numParameters(), runDir, config, ...(resumed ? { resumed } : {}) });
    const save = async () => {
      // Every rank's generator state goes into rank 0's checkpoint (an exact resume redraws the same).
      const rankRngs = dist ? gatherBytes(dist.group, getRngState()) : undefined;
      if (!rank0) return;
      await saveTrainingCheckpoint(ckptPath, model, spec, aus, config, opt, p, {
        cudaIndex: cuda ? cudaIndex : null, scaler: amp === "fp16" ? scaler.state() : null, ...(rankRngs ? { rankRngs } : {}),
      });
      log?.write({ event: "checkpoint", ...p });
      opts.events?.checkpoint?.(ckptPath);
    };
    const losses: number[] = [];
    model.train();
    if (config.freeze_backbone) model.backbone.eval(); // batch norms keep their running statistics
    // The network's output; a frozen backbone runs without autograd (no graph kept, less memory).
    const forward = (x: Tensor): Tensor => (config.freeze_backbone ? model.fromTokens(noGrad(() => model.backbone.forwardTokens(x))) : model.forward(x));
    for (; p.epoch < config.epochs; p = { epoch: p.epoch + 1, batch: 0, step: p.step }) {
      const lr = learningRate(config.lr, p.epoch, config.epochs, config.lr_decay_last_epochs);
      opt.setLr(lr);
      let epochLoss = 0;
      let epochSteps = 0;
      let t0 = performance.now();
      for await (const batch of loader.epoch(p.epoch, p.batch)) {
        // A turn of the event loop, so that a Ctrl-C (a signal handler) is seen even when the
        // next batch was ready and awaiting it ran no macrotask.
        await new Promise<void>((res) => setImmediate(res));
        // All ranks agree on stopping, so that they stop after the same step.
        if (dist ? anyRank(dist.group, opts.signal?.aborted ?? false) : opts.signal?.aborted) {
          await save();
          log?.write({ event: "interrupted", ...p });
          return { runDir, checkpoint: ckptPath, steps: p.step, stopped: "interrupted", losses };
        }
        let loss: number;
        try {
          const bt = batchToTensors(batch, device);
          try {
            loss = tidy(() => {
              opt.zeroGrad();
              const labels = bt.labels.clampMin(0); // masked (-1) AUs count as absent
              const l: Tensor = withAmp(() => {
                // Supervised: each rank's loss is the mean over its shard; averaging the gradients
                // over ranks gives the global batch's mean.
                if (config.supervised) return weightedAsymmetricLoss(forward(bt.views[0]).float(), labels, weights);
                // One uniform draw per AU per step, keyed by (seed, step) so a resumed run redraws the same.
                const rng = new Rng(config.seed, p.step, 0x41554e43);
                const draws = aus.map(() => rng.next());
                let z1 = forward(bt.views[0]).float();
                let z2 = forward(bt.views[1]).float();
                let all = labels;
                if (dist) {
                  // The loss of the global batch on every rank: all ranks' embeddings (in rank
                  // order = the single-process batch order), gradients flowing back to each rank's own.
                  z1 = dist.group.allGatherWithGrad(z1);
                  z2 = dist.group.allGatherWithGrad(z2);
                  all = cat(dist.group.allGather(labels));
                }
                return aunceLoss(z1, z2, all, { temperature: config.temperature, draws, betas: config.neg_betas, thresholds: positiveThresholds(config.positive_types) });
              });
              const value = dist && config.supervised ? meanOverRanks(dist.group, l.item()) : l.item();
              // With float16 loss scaling a non-finite step is skipped by the scaler (as GradScaler);
              // without it a non-finite loss stops the run.
              if (!Number.isFinite(value) && !scaler.enabled) return value;
              sync?.beforeBackward();
              scaler.scale(l).backward();
              sync?.average();
              return value;
            });
          } finally {
            bt.dispose();
          }
        } catch (err) {
          if (isOutOfMemory(err)) {
            throw new Error(`${device} ran out of memory at step ${p.step} (batch ${config.batch_size}${amp === "off" ? "" : `, amp ${amp}`}): ` +
              `try a smaller --batch_size${amp === "off" ? " or --amp bf16" : ""}. The last checkpoint ${existsSync(ckptPath) ? ckptPath : "(none yet)"} is intact.`);
          }
          throw err;
        }
        if (!Number.isFinite(loss)) {
          log?.write({ event: "non-finite-loss", loss: String(loss), ...p });
          throw new Error(`loss became ${loss} at epoch ${p.epoch}, batch ${p.batch} (step ${p.step}); stopped without updating the weights. ` +
            `The last good checkpoint is ${existsSync(ckptPath) ? ckptPath : "(none yet)"}; try a lower --lr.`);
        }
        const stepped = scaler.step(opt, params);
        scaler.update();
        if (!stepped) log?.write({ event: "skipped-step", reason: "non-finite fp16 gradients", scale: scaler.scaleValue, ...p });
        losses.push(loss);
        epochLoss += loss;
        epochSteps++;
        p = { epoch: p.epoch, batch: p.batch + 1, step: p.step + 1 };
        const now = performance.now();
        const imagesPerSec = (batch.shape[0] * world * batch.views.length * 1000) / (now - t0);
        t0 = now;
        const mem = cuda ? cudaMemory(cudaIndex) : null;
        log?.write({ event: "step", epoch: p.epoch, batch: p.batch - 1, step: p.step, loss, lr,
          ...(mem ? { gpuAllocated: mem.allocated, gpuPeakAllocated: mem.peakAllocated } : {}) });
        if (cuda) cudaResetPeakMemory(cudaIndex);
        opts.events?.step?.({ epoch: p.epoch, batch: p.batch - 1, step: p.step, loss, lr, imagesPerSec });
        if (config.checkpoint_every > 0 && p.step % config.checkpoint_every === 0) await save();
        if (config.max_steps > 0 && p.step >= config.max_steps) {
          await save();
          return { runDir, checkpoint: ckptPath, steps: p.step, stopped: "max_steps", losses };
        }
      }
      if (epochSteps > 0) {
        log?.write({ event: "epoch", epoch: p.epoch, meanLoss: epochLoss / epochSteps });
        opts.events?.epoch?.({ epoch: p.epoch, meanLoss: epochLoss / epochSteps });
      }
      p = { epoch: p.epoch, batch: perEpoch, step: p.step };
      await save();
    }
    log?.write({ event: "done", step: p.step });
    return { runDir, checkpoint: ckptPath, steps: p.step, stopped: "done", losses };
  } finally {
    sync?.close();
    weights?.dispose();
    opt.dispose();
    model.dispose();
    await loader.close();
  }
}
