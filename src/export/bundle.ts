/**
 * `aunce export --format onnx`: writes everything a runtime such as onnxruntime-web needs into one
 * folder, each network with a JSON sidecar (see docs/export.md):
 *
 *   manifest.json                       what is in the folder, by role
 *   au-model.onnx + .json               the AU model (bundled or a checkpoint)
 *   landmarks68.onnx + .json            the 68-point landmark net
 *   ssd-mobilenetv1.onnx + .json        the SSD face detector
 *   yunet/yunet_n_dynamic.onnx + .json  the YuNet face detector (copied unchanged), LICENSE, README.md
 *   face-api/LICENSE, README.md         licence and origin of the landmark net and SSD weights
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODEL_PATH, GraphAuModel, loadAuModelFromCheckpoint, type AuModel } from "../face/au-model.ts";
import { FaceApiRecognitionNet } from "../models/backbones/faceapi.ts";
import { isFaceApi } from "./emit-faceapi.ts";
import { ALIGN_TEMPLATE_V1, AU_INPUT } from "../face/align.ts";
import { faceApiAssetsDir } from "../face/weights.ts";
import { AU_ONNX_IO, exportAuModel } from "./au-model.ts";
import { LANDMARK_ONNX_IO, exportBundledLandmarkNet } from "./landmarks.ts";
import { BATCH_DIM, ONNX_OPSET } from "./onnx-graph.ts";
import { SSD_ONNX_IO, exportBundledSsd } from "./ssd.ts";

/** Version of the sidecar / manifest layout written here. */
export const EXPORT_FORMAT_VERSION = 1;

/** The bundled YuNet folder (assets/yunet, next to src/ or dist/). */
export function yunetAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "..", "assets", "yunet"), join(here, "..", "..", "..", "assets", "yunet")];
  const found = candidates.find((d) => existsSync(join(d, "yunet_n_dynamic.onnx")));
  if (!found) throw new Error(`YuNet file not found; looked in:\n  ${candidates.join("\n  ")}`);
  return found;
}

export interface ExportBundleOptions {
  /** "bundled" (assets/models) or the path of an `aunce train --supervised` checkpoint. Default "bundled". */
  model?: string;
  /** Output folder (created if missing; files of the same names are replaced). */
  outDir: string;
  /** Called with one line per step. */
  onProgress?: (message: string) => void;
}

/** What exportOnnxBundle wrote. */
export interface ExportBundleResult {
  outDir: string;
  /** Paths relative to outDir, in the order written. */
  files: string[];
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const auName = (au: number) => `AU${String(au).padStart(2, "0")}`;

/** Writes a file atomically (temp name + rename), so a failed run leaves no half-written model. */
function writeFile(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const FACE_API_ORIGIN = {
  origin: "@vladmandic/face-api 1.7.15 (npm, model/ folder), trained by justadudewhohacks for face-api.js; ported to aunce's engine and exported by aunce",
  licence: "MIT (Copyright (c) Vladimir Mandic); see face-api/LICENSE",
};

/** What a face-api backbone's weights started from (they are the checkpoint owner's now). */
function faceApiNote(model: AuModel): string {
  if (!(model instanceof GraphAuModel) || !isFaceApi(model.net.backbone)) return "";
  const net = model.net.backbone instanceof FaceApiRecognitionNet ? "face recognition" : "face expression";
  return `; its backbone was initialised from face-api's ${net} net (@vladmandic/face-api 1.7.15, MIT, Copyright (c) Vladimir Mandic)`;
}

/** The AU model's sidecar. */
export function auSidecar(model: AuModel, file: string, bytes: Uint8Array, networkSize: number, about: { description: string; origin: string; licence: string }): Record<string, unknown> {
  return {
    format: "aunce-onnx",
    formatVersion: EXPORT_FORMAT_VERSION,
    kind: "au-model",
    file,
    sha256: sha256(bytes),
    opset: ONNX_OPSET,
    input: {
      name: AU_ONNX_IO.input,
      shape: [BATCH_DIM, 3, AU_INPUT.size, AU_INPUT.size],
      dtype: "float32",
      layout: "NCHW",
      colour: "RGB",
      preprocessing: "face aligned to the template (256x256 crop), its centre 224x224, scaled to 0..1, then (x - mean) / std per channel",
    },
    inputSize: AU_INPUT.size,
    networkInputSize: networkSize,
    normalisation: model.normalisation ?? { mean: [...AU_INPUT.mean], std: [...AU_INPUT.std] },
    alignment: { template: ALIGN_TEMPLATE_V1.version, cropSize: ALIGN_TEMPLATE_V1.size, centreCrop: AU_INPUT.size, indices: [...ALIGN_TEMPLATE_V1.indices] },
    output: { name: AU_ONNX_IO.output, shape: [BATCH_DIM, model.aus.length], meaning: "per-AU probability 0..1, columns in the order of `aus`" },
    aus: [...model.aus],
    auNames: model.aus.map(auName),
    thresholds: { default: 0.5, perAu: {} },
    ...about,
  };
}

/** Exports the AU model, the landmark net, the SSD and copies YuNet into `opts.outDir`. */
export async function exportOnnxBundle(opts: ExportBundleOptions): Promise<ExportBundleResult> {
  const say = opts.onProgress ?? (() => {});
  const out = opts.outDir;
  const files: string[] = [];
  const put = (rel: string, data: Uint8Array | string) => {
    writeFile(join(out, rel), data);
    files.push(rel);
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const spec = opts.model ?? "bundled";
  const bundled = spec === "bundled";
  const modelPath = bundled ? DEFAULT_MODEL_PATH : spec;
  if (!existsSync(modelPath)) throw new Error(bundled ? `the bundled AU model is missing (${modelPath})` : `model ${spec}: no such file`);
  mkdirSync(out, { recursive: true });

  say(`AU model: loading ${bundled ? "the bundled model" : spec}`);
  const model = await loadAuModelFromCheckpoint(modelPath);
  try {
    say("AU model: writing au-model.onnx");
    // No machine paths in the files: the model's own description names the file it was read from.
    const description = bundled
      ? `aunce bundled model ${basename(DEFAULT_MODEL_PATH, ".safetensors")} (faceapi_expression, ME-GraphAU stage 1)`
      : (model.description ?? `AU model (${spec})`).split(spec).join(basename(spec));
    const au = exportAuModel(model, { description });
    const origin = bundled
      ? { origin: `aunce's bundled model (assets/models/README.md): ME-GraphAU stage 1 on face-api's face-expression network, fine-tuned by aunce on SynthAU synthetic faces only; not validated on real faces${faceApiNote(model)}`, licence: "MIT (the aunce project; the backbone's initial weights: face-api, MIT)" }
      : { origin: `exported by aunce from checkpoint ${basename(spec)}${faceApiNote(model)}`, licence: "as the checkpoint's owner states (aunce does not know it)" };
    put("au-model.onnx", au.bytes);
    put("au-model.json", json(auSidecar(model, "au-model.onnx", au.bytes, au.networkSize, { description, ...origin })));
  } finally {
    model.dispose?.();
  }

  say("landmarks: writing landmarks68.onnx");
  const lm = exportBundledLandmarkNet();
  put("landmarks68.onnx", lm.bytes);
  put("landmarks68.json", json({
    format: "aunce-onnx", formatVersion: EXPORT_FORMAT_VERSION, kind: "landmarks68", file: "landmarks68.onnx", sha256: sha256(lm.bytes), opset: ONNX_OPSET,
    input: {
      name: LANDMARK_ONNX_IO.input, shape: [BATCH_DIM, 3, LANDMARK_ONNX_IO.size, LANDMARK_ONNX_IO.size], dtype: "float32", layout: "NCHW", colour: "RGB",
      preprocessing: "face box clipped to the image and floored, padded to a square with zeros centred on the short side, resized to 112 with TF's legacy bilinear (align_corners=false, half_pixel_centers=false), then (x - meanRgb) / 255",
    },
    normalisation: { meanRgb: [122.782, 117.001, 104.298], divide: 255 },
    output: { name: LANDMARK_ONNX_IO.output, shape: [BATCH_DIM, 136], meaning: "68 (x, y) pairs in 0..1 of the padded square, iBUG 300-W order" },
    ...FACE_API_ORIGIN,
  }));

  say("detector: writing ssd-mobilenetv1.onnx");
  const ssd = exportBundledSsd();
  put("ssd-mobilenetv1.onnx", ssd.bytes);
  put("ssd-mobilenetv1.json", json({
    format: "aunce-onnx", formatVersion: EXPORT_FORMAT_VERSION, kind: "face-detector", detector: "ssd-mobilenetv1", file: "ssd-mobilenetv1.onnx", sha256: sha256(ssd.bytes), opset: ONNX_OPSET,
    input: {
      name: SSD_ONNX_IO.input, shape: [BATCH_DIM, 3, SSD_ONNX_IO.size, SSD_ONNX_IO.size], dtype: "float32", layout: "NCHW", colour: "RGB",
      preprocessing: "image padded bottom/right to a square with zeros, resized to 512 with TF's legacy bilinear, then x / 127.5 - 1",
    },
    outputs: {
      [SSD_ONNX_IO.boxes]: { shape: [BATCH_DIM, SSD_ONNX_IO.numAnchors, 4], meaning: "box encodings (ty, tx, th, tw) per anchor" },
      [SSD_ONNX_IO.logits]: { shape: [BATCH_DIM, SSD_ONNX_IO.numAnchors, 3], meaning: "class logits; face score = sigmoid(logits[..., 1])" },
      [SSD_ONNX_IO.anchors]: { shape: [SSD_ONNX_IO.numAnchors, 4], meaning: "anchors (y0, x0, y1, x1) in 0..1 (constant)" },
    },
    decoding: { boxScales: [10, 10, 5, 5], nmsIou: 0.5, minConfidence: 0.5, maxResults: 100 },
    ...FACE_API_ORIGIN,
  }));
  const faceApi = faceApiAssetsDir();
  for (const f of ["LICENSE", "README.md"]) {
    mkdirSync(join(out, "face-api"), { recursive: true });
    copyFileSync(join(faceApi, f), join(out, "face-api", f));
    files.push(`face-api/${f}`);
  }

  say("detector: copying YuNet");
  const yunet = yunetAssetsDir();
  mkdirSync(join(out, "yunet"), { recursive: true });
  for (const f of ["yunet_n_dynamic.onnx", "LICENSE", "README.md"]) {
    copyFileSync(join(yunet, f), join(out, "yunet", f));
    files.push(`yunet/${f}`);
  }
  put("yunet/yunet_n_dynamic.json", json({
    format: "aunce-onnx", formatVersion: EXPORT_FORMAT_VERSION, kind: "face-detector", detector: "yunet-n", file: "yunet_n_dynamic.onnx",
    input: { name: "input", shape: [BATCH_DIM, 3, "H", "W"], dtype: "float32", layout: "NCHW", colour: "BGR", preprocessing: "0..255, no normalisation; H and W multiples of 32" },
    outputs: "cls_s, obj_s [b, n, 1], bbox_s [b, n, 4], kps_s [b, n, 10] for strides s in 8, 16, 32 (see README.md)",
    origin: "ShiqiYu/libfacedetection.train onnx/yunet_n_dynamic.onnx, trained by its authors on WIDER FACE; copied unchanged",
    licence: "Apache License 2.0; see LICENSE beside this file",
  }));

  put("manifest.json", json({
    format: "aunce-onnx",
    formatVersion: EXPORT_FORMAT_VERSION,
    producer: "aunce 0.1.0",
    opset: ONNX_OPSET,
    models: {
      au: "au-model.json",
      landmarks: "landmarks68.json",
      detectors: { "ssd-mobilenetv1": "ssd-mobilenetv1.json", "yunet-n": "yunet/yunet_n_dynamic.json" },
    },
  }));
  say(`wrote ${files.length} files to ${out}`);
  return { outDir: out, files };
}
