/**
 * Backbones registered by name, as data: `createModel('swin_b', { numClasses: 0 })`,
 * `listModels()`. Every family also registers a tiny test variant (`resnet_tiny`,
 * `swin_tiny_test`) so tests stay fast. `createAuModel` puts the AU head on a registered backbone.
 */
import { AuModel, type AuModelOptions, type Backbone } from "./au-model.ts";
import { createResNet, resnetVariants, type ResNetConfig } from "./backbones/resnet.ts";
import { createSwin, swinVariants, type SwinConfig } from "./backbones/swin.ts";
import { FaceApiFeatureExtractor, FaceApiRecognitionNet } from "./backbones/faceapi.ts";

/** Options every backbone understands. */
export interface ModelOptions {
  /** Classifier outputs; 0 = a feature backbone (no `fc` / `head`). Default: the variant's (1000). */
  numClasses?: number;
  /** Swin only: stochastic depth rate (default: the variant's). */
  dropPathRate?: number;
  /** Swin only: build input size (default 224). */
  imgSize?: number;
}

/** One registry row. */
export interface ModelInfo {
  name: string;
  family: "resnet" | "swin" | "faceapi";
  /** Input side the variant is built for (pixels). */
  inputSize: number;
  /** A tiny variant for tests. */
  test: boolean;
  /** ME-GraphAU's width after global_linear, as a fraction of the backbone's (Swin 1/2, ResNet 1/4, face-api 1/2). */
  meGraphAuWidth: number;
  /** The backbone starts from weights trained on real faces (face-api's, bundled), without --pretrained. */
  pretrainedByConstruction?: boolean;
}

interface Entry extends ModelInfo {
  create(opts: ModelOptions): Backbone;
}

const registry = new Map<string, Entry>();

function register(e: Entry): void {
  if (registry.has(e.name)) throw new Error(`model '${e.name}' is already registered`);
  registry.set(e.name, e);
}

for (const name of Object.keys(resnetVariants)) {
  register({
    name, family: "resnet", inputSize: name.endsWith("_tiny") ? 64 : 224, test: name.endsWith("_tiny"), meGraphAuWidth: 1 / 4,
    create: (o) => {
      const over: Partial<ResNetConfig> = {};
      if (o.numClasses !== undefined) over.numClasses = o.numClasses;
      if (o.dropPathRate !== undefined || o.imgSize !== undefined) throw new Error(`${name}: dropPathRate and imgSize apply to Swin models only`);
      return createResNet(name, over);
    },
  });
}

for (const [name, cfg] of Object.entries(swinVariants)) {
  register({
    name, family: "swin", inputSize: cfg.imgSize ?? 224, test: name.endsWith("_test"), meGraphAuWidth: 1 / 2,
    create: (o) => {
      const over: Partial<SwinConfig> = {};
      if (o.numClasses !== undefined) over.numClasses = o.numClasses;
      if (o.dropPathRate !== undefined) over.dropPathRate = o.dropPathRate;
      if (o.imgSize !== undefined) over.imgSize = o.imgSize;
      return createSwin(name, over);
    },
  });
}

// face-api's nets (assets/face-api), initialised from their bundled weights. ME-GraphAU width 1/2
// (256 -> 128), as for Swin: the 1/4 of ResNet-50's 2048 would leave 64 channels here.
const faceApiBackbones = {
  faceapi_expression: { cls: FaceApiFeatureExtractor, inputSize: 112 },
  faceapi_recognition: { cls: FaceApiRecognitionNet, inputSize: 150 },
};
for (const [name, { cls, inputSize }] of Object.entries(faceApiBackbones)) {
  register({
    name, family: "faceapi", inputSize, test: false, meGraphAuWidth: 1 / 2, pretrainedByConstruction: true,
    create: (o) => {
      if (o.dropPathRate !== undefined || o.imgSize !== undefined) throw new Error(`${name}: dropPathRate and imgSize apply to Swin models only`);
      if (o.numClasses !== undefined && o.numClasses !== 0) throw new Error(`${name}: a feature backbone only (numClasses 0)`);
      return new cls();
    },
  });
}

/** Names of every registered backbone (with `testOnly`, just the tiny test variants). */
export function listModels(filter: { testOnly?: boolean } = {}): string[] {
  return [...registry.values()].filter((e) => !filter.testOnly || e.test).map((e) => e.name);
}

/** The registry row of `name`; throws listing the known names. */
export function modelInfo(name: string): ModelInfo {
  const e = registry.get(name);
  if (!e) throw new Error(`unknown model '${name}' (known: ${listModels().join(", ")})`);
  const { create: _create, ...info } = e;
  return info;
}

/**
 * Builds a registered backbone.
 * @example const swin = createModel("swin_b", { numClasses: 0 }); // tokens [B, 49, 1024] at 224
 */
export function createModel(name: string, opts: ModelOptions = {}): Backbone {
  modelInfo(name);
  return registry.get(name)!.create(opts);
}

/** What createAuModel builds. */
export interface AuModelSpec extends Omit<AuModelOptions, "channels" | "output"> {
  /** A registered backbone name. */
  backbone: string;
  /** "aunce" (embeddings, width = backbone's; default) or "megraphau" (scores, ME-GraphAU widths). */
  method?: "aunce" | "megraphau";
  /** Override the width after global_linear. */
  channels?: number;
  backboneOptions?: Omit<ModelOptions, "numClasses">;
}

/**
 * The AU network on a registered backbone, laid out as the reference checkpoints
 * (`backbone.*`, `global_linear.*`, `head.*`).
 * @example const net = createAuModel({ backbone: "swin_b", numAus: 12 }); // embeddings [B, 1024, 12]
 */
export function createAuModel(spec: AuModelSpec): AuModel {
  const info = modelInfo(spec.backbone);
  const backbone = createModel(spec.backbone, { ...spec.backboneOptions, numClasses: 0 });
  const method = spec.method ?? "aunce";
  const width = spec.channels ?? (method === "aunce" ? backbone.numFeatures : Math.floor(backbone.numFeatures * info.meGraphAuWidth));
  return new AuModel(backbone, { numAus: spec.numAus, neighbours: spec.neighbours, channels: width, output: method === "aunce" ? "embeddings" : "scores" });
}
