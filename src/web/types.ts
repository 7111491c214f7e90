/**
 * The browser build's public types: the result shapes are Node's (src/api/detector.ts), imported
 * as types only, so using them pulls in no engine code.
 */
export type { AuResult, DetectedFace } from "../api/detector.ts";
export type { StageTimes } from "../face/pipeline.ts";
export type { AlignTemplate } from "../face/align.ts";
export type { PixelImage } from "../face/geometry/warp.ts";

/** What a browser detector accepts as one frame. */
export type WebFrameInput = ImageData | HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | MediaStream;

/** Where the ONNX models are (URLs the page serves; relative ones resolve against the page). */
export interface WebModelUrls {
  /** YuNet face detector (assets/yunet/yunet_n_dynamic.onnx). */
  detector: string;
  /** The 68-point landmark net, as `aunce export --format onnx` writes it. */
  landmarks: string;
  /** The AU model, as `aunce export --format onnx` writes it. */
  au: string;
  /** The AU model's JSON sidecar (AU names, input size, normalisation, template, thresholds). */
  sidecar: string;
  /**
   * Optional: a landmark-geometry AU model (JSON, e.g. assets/models/synthau-geometry-logistic.json)
   * fused with the AU model's probabilities, as Node's `geometry` option does. Off when absent.
   */
  geometry?: string;
}

/** Which onnxruntime-web execution provider runs the networks. */
export type WebBackend = "auto" | "wasm" | "webgpu";
