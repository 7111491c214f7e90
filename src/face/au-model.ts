/**
 * The AU model seen by the detection pipeline: aligned, normalised crops in, per-AU probabilities
 * out. Any trained model plugs in through this interface; `LinearProbeAuModel` (ResNet features,
 * global average pool, Linear, sigmoid) is the one built here, for tests and benchmarks, and for
 * checkpoints whose state dict has that layout (`backbone.*` ResNet keys + `head.weight/bias`).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Linear, Module } from "../nn/index.ts";
import type { AuModel as GraphNetwork } from "../models/au-model.ts";
import type { LoadReport } from "../nn/index.ts";
import { loadRawIntoModule } from "../models/io.ts";
import { createAuModel, type AuModelSpec } from "../models/registry.ts";
import { createResNet, ResNet } from "../models/backbones/resnet.ts";
import { FrozenResNet } from "../models/backbones/resnet-frozen.ts";
import { readAunceCheckpoint, type AunceCheckpointMeta } from "../models/checkpoint/aunce-format.ts";
import type { RawStateDict } from "../models/checkpoint/raw.ts";
import { adaptiveAvgPool2d, checkDevice, fromBytes, interpolate, noGrad, tidy, type DType, type Tensor } from "../tensor/index.ts";
import { AU_INPUT } from "./align.ts";

/** What the pipeline needs from an AU model. */
export interface AuModel {
  /** AU numbers in output column order, e.g. [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]. */
  readonly aus: number[];
  /** crops [B,3,224,224] float32, normalised as `normalisation` says -> [B,N] probabilities 0..1. */
  predict(crops: Tensor): Tensor;
  /** Input normalisation the model was trained with (defaults to aunce-spec §5's). */
  readonly normalisation?: { mean: readonly number[]; std: readonly number[] };
  /** Human-readable origin ("random init (untrained)", a checkpoint path...). */
  readonly description?: string;
  /** Builds whatever fast inference needs (frozen kernels) now, not at the first predict(). */
  prepare?(): void;
  /** Where it computes ("cpu" when absent); predict() still takes and returns CPU tensors. */
  readonly device?: string;
  dispose?(): void;
}

/**
 * ResNet (torchvision names, no fc) + Linear(C, N) + sigmoid. In eval mode predict() runs a frozen
 * snapshot of the backbone (folded batch norms, oneDNN kernels: FrozenResNet), taken at the first
 * predict and retaken after loadStateDict() or train(); after changing weights any other way
 * (an optimizer step), call refreeze().
 */
export class LinearProbeAuModel extends Module implements AuModel {
  backbone: ResNet;
  head: Linear;
  readonly aus: number[];
  readonly normalisation = { mean: [...AU_INPUT.mean], std: [...AU_INPUT.std] };
  description: string;
  #frozen: FrozenResNet | null = null;

  constructor(backbone: string, aus: number[], description = `${backbone} + linear head, random init (untrained)`) {
    super();
    this.backbone = createResNet(backbone, { numClasses: 0 });
    this.head = new Linear(this.backbone.numFeatures, aus.length);
    this.aus = [...aus];
    this.description = description;
    this.eval();
  }

  /** crops [B,3,H,W] -> logits [B,N]. */
  forward(x: Tensor): Tensor {
    const f = this.backbone.forwardFeatures(x);
    const p = adaptiveAvgPool2d(f, 1);
    f.dispose();
    const flat = p.flatten(1);
    p.dispose();
    const y = this.head.forward(flat);
    flat.dispose();
    return y;
  }

  /** crops [B,3,224,224] normalised -> probabilities [B,N]. */
  predict(crops: Tensor): Tensor {
    return noGrad(() =>
      tidy(() => {
        if (this.training) return this.forward(crops).sigmoid();
        this.prepare();
        return this.head.forward(this.#frozen!.forwardPooled(crops)).sigmoid();
      }),
    );
  }

  /** Takes the inference snapshot now if there is none (eval mode). */
  prepare(): void {
    if (!this.training) this.#frozen ??= new FrozenResNet(this.backbone);
  }

  /** Drops the inference snapshot; the next predict() takes a new one from the current weights. */
  refreeze(): void {
    this.#frozen?.dispose();
    this.#frozen = null;
  }

  override loadStateDict(state: Map<string, Tensor>, options: { strict?: boolean } = {}): LoadReport {
    this.refreeze();
    return super.loadStateDict(state, options);
  }

  override train(mode = true): this {
    this.refreeze();
    return super.train(mode);
  }

  override dispose(): void {
    this.refreeze();
    super.dispose();
  }
}

/**
 * A model trained by `aunce train --supervised` (ME-GraphAU stage 1: per-AU cosine scores, read as
 * probabilities and thresholded at 0.5 as the reference does). The 224 crops are resized to the
 * crop size it was trained on.
 */
export class GraphAuModel implements AuModel {
  readonly aus: number[];
  readonly normalisation: { mean: number[]; std: number[] };
  /**
   * On the CPU the ResNet backbone is frozen for inference (folded batch norms, oneDNN); Swin, and
   * every backbone on a GPU (cuDNN), run the network as is.
   */
  private readonly frozen: FrozenResNet | null;
  readonly device: string;
  constructor(readonly net: GraphNetwork, aus: number[], readonly inputSize: number, normalisation: { mean: number[]; std: number[] }, readonly description: string, device = "cpu") {
    this.aus = [...aus];
    this.normalisation = normalisation;
    this.device = checkDevice(device);
    net.eval();
    if (this.device !== "cpu") net.toDevice(this.device);
    this.frozen = this.device === "cpu" && net.backbone instanceof ResNet ? new FrozenResNet(net.backbone) : null;
  }
  predict(crops: Tensor): Tensor {
    return noGrad(() =>
      tidy(() => {
        const onDevice = this.device === "cpu" ? crops : crops.toDevice(this.device);
        const x = onDevice.shape[2] === this.inputSize ? onDevice : interpolate(onDevice, [this.inputSize, this.inputSize], "bilinear", false, true);
        const out = this.frozen ? this.net.fromTokens(this.frozen.forwardTokens(x)) : this.net.forward(x);
        const p = out.clamp(0, 1);
        return this.device === "cpu" ? p : p.toDevice("cpu");
      }),
    );
  }
  dispose(): void {
    this.frozen?.dispose();
    this.net.dispose();
  }
}

/** The bundled default AU model (see assets/models/README.md), or undefined when absent. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL("../../assets/models/synthau-megraphau-faceapi-expression.safetensors", import.meta.url));
export function defaultModelPath(): string | undefined {
  return existsSync(DEFAULT_MODEL_PATH) ? DEFAULT_MODEL_PATH : undefined;
}

/** BP4D's 12 AUs (aunce-spec §1), the default output set for untrained test models. */
export const BP4D_AUS = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];

/**
 * Builds an AU model from an aunce-format checkpoint (`aunce train` output). Isolated so the
 * models issue can extend it: today it understands the linear-probe layout above with any
 * registered ResNet backbone; other layouts throw, naming the backbone and the keys found.
 */
export async function loadAuModelFromCheckpoint(path: string, device = "cpu"): Promise<AuModel> {
  const ck = await readAunceCheckpoint(path);
  return auModelFromCheckpoint(ck.meta, ck.model, path, device);
}

/** See loadAuModelFromCheckpoint; `model` is the raw state dict. */
export function auModelFromCheckpoint(meta: AunceCheckpointMeta, model: RawStateDict, source = "checkpoint", device = "cpu"): AuModel {
  device = checkDevice(device);
  const spec = (meta.config as { model?: AuModelSpec }).model;
  if (spec && typeof spec === "object" && typeof spec.backbone === "string") {
    if (spec.method !== "megraphau") {
      throw new Error(`${source}: an AUNCE encoder outputs embeddings, not AU probabilities; detect needs a model trained with \`aunce train --supervised\` (or a linear-probe checkpoint)`);
    }
    const net = createAuModel(spec);
    try {
      loadRawIntoModule(net, model, { strict: true, source });
    } catch (err) {
      net.dispose();
      throw err;
    }
    const train = (meta.config as { train?: { crop_size?: number } }).train;
    try {
      return new GraphAuModel(net, meta.aus, train?.crop_size ?? 224, { mean: [...meta.normalisation.mean], std: [...meta.normalisation.std] }, `${spec.backbone} (${source})`, device);
    } catch (err) {
      net.dispose();
      throw err;
    }
  }
  if (device !== "cpu") throw new Error(`${source}: linear-probe checkpoints run on the CPU only; train with \`aunce train --supervised\` for a GPU-capable model`);
  const keys = [...model.keys()];
  const isProbe = keys.includes("head.weight") && keys.some((k) => k.startsWith("backbone."));
  if (!meta.backbone.startsWith("resnet") || !isProbe) {
    throw new Error(
      `${source}: detect cannot build backbone '${meta.backbone}' with keys ${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", ..." : ""}; ` +
        "supported today: ResNet + linear head (backbone.*, head.weight, head.bias)",
    );
  }
  const m = new LinearProbeAuModel(meta.backbone, meta.aus, `${meta.backbone} from ${source}`);
  const state = new Map<string, Tensor>();
  for (const [k, t] of model) state.set(k, fromBytes(t.data, t.shape, t.dtype as DType));
  try {
    m.loadStateDict(state, { strict: true });
  } catch (err) {
    m.dispose();
    throw new Error(`${source}: ${(err as Error).message}`);
  } finally {
    for (const t of state.values()) t.dispose();
  }
  Object.assign(m.normalisation, { mean: [...meta.normalisation.mean], std: [...meta.normalisation.std] });
  m.eval();
  return m;
}
