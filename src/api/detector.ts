/**
 * The library entry point: create a detector once, call it per image (path, encoded buffer or
 * decoded RGB frame), get typed faces with boxes, 68 landmarks and per-AU probabilities.
 *
 * @example
 * const d = await createAuDetector({ model: "runs/bp4d/checkpoint.safetensors" });
 * const faces = await d.detect("photo.jpg");
 * for (const f of faces) console.log(f.box, f.aus.filter((a) => a.present).map((a) => a.name));
 * d.dispose();
 */
import { ALIGN_TEMPLATE_V1, type AlignTemplate } from "../face/align.ts";
import { BP4D_AUS, LinearProbeAuModel, defaultModelPath, loadAuModelFromCheckpoint, type AuModel } from "../face/au-model.ts";
import { decodeImage, type RgbImage } from "../face/image.ts";
import { FaceFollower } from "../face/follow.ts";
import { FacePipeline, type StageTimes } from "../face/pipeline.ts";
import { resolveGeometryModel } from "../face/geometry-au.ts";
import type { GeometryModelFile } from "../face/geometry/geometry-model.ts";
import type { DetectorKind } from "../face/geometry/detector-options.ts";
import { checkDetectorOptions, toDetectedFace } from "./shared.ts";
import { checkDevice, withSeed } from "../tensor/index.ts";

export { checkDetectorOptions, toDetectedFace };

/** One AU of one face. */
export interface AuResult {
  /** AU number, e.g. 12. */
  au: number;
  /** "AU12". */
  name: string;
  /** Model probability 0..1. */
  probability: number;
  /** probability >= the AU's threshold. */
  present: boolean;
}

/** One detected face. Coordinates are image pixels, origin top-left. */
export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  /** Detector confidence 0..1. */
  confidence: number;
  /** 68 iBUG landmarks as [x, y] pairs. */
  landmarks: [number, number][];
  /**
   * YuNet's 5 key points as [x, y] pairs (subject's right eye, left eye, nose tip, right and left
   * mouth corner); absent with the SSD detector and, in track(), on frames between detections.
   */
  keypoints?: [number, number][];
  /**
   * What the face was aligned on for the AU model: the 68 landmarks, or YuNet's 5 key points when
   * the landmarks failed their sanity checks against them (a landmark fit that slipped).
   */
  alignedOn: "landmarks68" | "points5";
  aus: AuResult[];
  /** track() only: the face's id, stable while it is followed from frame to frame. */
  id?: number;
}

/** Options of createAuDetector; every field is optional. */
export interface AuDetectorOptions {
  /**
   * An aunce checkpoint (`aunce train --supervised` output), or an AuModel instance. Default: the
   * bundled SynthAU-trained model (assets/models/README.md states what it was trained on and its F1).
   */
  model?: string | AuModel;
  /**
   * Instead of a trained model: a randomly initialised ResNet + linear head of this variant (its
   * outputs are meaningless; for trying the pipeline).
   */
  untrainedBackbone?: string;
  /**
   * Seed of the untrained stand-in's random weights (`untrainedBackbone`, or the fallback when no
   * bundled model exists). Default 0: the same seed gives the same network; libtorch's generator is
   * left as it was.
   */
  untrainedSeed?: number;
  /** Per-AU presence thresholds (AU number -> threshold); others use `defaultThreshold`. */
  thresholds?: Record<number, number>;
  /** Default 0.5 (the spec's F1 threshold). */
  defaultThreshold?: number;
  /**
   * Face detector: "yunet" (YuNet-n, default; finds turned, occluded and small faces the SSD
   * misses) or "ssd" (the SSD-MobileNetV1 of earlier versions).
   */
  detector?: DetectorKind;
  /** Detector score threshold, between 0 and 1. Default 0.6 for YuNet, 0.5 for the SSD. */
  minConfidence?: number;
  /** Detector NMS IoU threshold in (0, 1]. Default 0.3 for YuNet, 0.5 for the SSD. */
  nmsThreshold?: number;
  /**
   * YuNet: images with a longer side above this many pixels are scaled down to it for detection
   * (faces and landmarks are still reported in the image's pixels). Default 640.
   */
  detectorSize?: number;
  /** At most this many faces per image. Default 100. */
  maxFaces?: number;
  /** Alignment template. Default aunce-align-v1. */
  template?: AlignTemplate;
  /**
   * track(): run the face detector on every k-th frame and follow faces by their landmarks in
   * between. Default 5 (every 0.2 s at 25 fps); 1 detects on every frame.
   */
  detectEvery?: number;
  /**
   * Fuse a landmark-geometry AU model with the AU model's probabilities (mean per AU it has; CSV/JSON
   * shape unchanged): true = the bundled one (assets/models/synthau-geometry-logistic.md, trained on
   * SynthAU, not validated on real faces), a weights file path, or a parsed model. Default off.
   */
  geometry?: boolean | string | GeometryModelFile;
  /**
   * Average each face's AU probabilities with those of the same face in the mirrored image (every
   * stage runs twice; FacePipeline's `mirrorAverage`): a photo and its mirror then get the same
   * AUs. Twice the cost. Default off. The browser build has it too.
   */
  mirrorAverage?: boolean;
  /**
   * Where the AU model computes: "cpu" (default), "cuda" or "cuda:N" (a CUDA engine; see `aunce
   * doctor`). Face detection and landmarks stay on the CPU (small nets, per-frame geometry).
   */
  device?: string;
}

/** A ready detector; not safe for concurrent calls on one instance (one engine graph at a time). */
export interface AuDetector {
  /** The AU numbers reported, in order. */
  readonly aus: number[];
  /** Where the AU model came from (a checkpoint path, or "random init (untrained)"). */
  readonly modelDescription: string;
  /** Faces in an image file path, an encoded image buffer, or a decoded RGB frame. */
  detect(input: string | Uint8Array | RgbImage): Promise<DetectedFace[]>;
  /**
   * Faces in the next frame of a video or camera stream (decoded RGB): like detect(), but the
   * detector runs every `detectEvery` frames and faces are followed in between, with stable ids.
   * Several times faster than detect() per frame. Call resetTracking() before another stream.
   */
  track(frame: RgbImage): DetectedFace[];
  /** Forgets the followed faces (ids start again from 0). */
  resetTracking(): void;
  /** Cumulative milliseconds per stage. */
  readonly times: StageTimes;
  /** Frees the networks' tensors. */
  dispose(): void;
}

/** Resolves the AU model option (a checkpoint path, an instance, or an untrained stand-in). */
export async function resolveAuModel(opts: Pick<AuDetectorOptions, "model" | "untrainedBackbone" | "untrainedSeed" | "device">): Promise<AuModel> {
  const device = checkDevice(opts.device ?? "cpu");
  if (typeof opts.model === "string") return loadAuModelFromCheckpoint(opts.model, device);
  if (opts.model) return opts.model;
  const bundled = defaultModelPath();
  if (!opts.untrainedBackbone && bundled) return loadAuModelFromCheckpoint(bundled, device);
  if (device !== "cpu") throw new Error(`device ${device}: the untrained stand-in model runs on the CPU only`);
  const seed = opts.untrainedSeed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`untrainedSeed must be an integer >= 0, got ${seed}`);
  return withSeed(seed, () => new LinearProbeAuModel(opts.untrainedBackbone ?? "resnet18", BP4D_AUS));
}

/**
 * Creates a detector: loads the face nets (bundled face-api weights) and the AU model. Bad options
 * are refused before anything loads (checkDetectorOptions); thresholds for AUs the model does not
 * predict are refused once it has loaded.
 */
export async function createAuDetector(opts: AuDetectorOptions = {}): Promise<AuDetector> {
  checkDetectorOptions(opts);
  const geometry = resolveGeometryModel(opts.geometry);
  const model = await resolveAuModel(opts);
  const ownsModel = typeof opts.model !== "object";
  const unknown = Object.keys(opts.thresholds ?? {}).map(Number).filter((au) => !model.aus.includes(au));
  if (unknown.length) {
    if (ownsModel) model.dispose?.();
    throw new RangeError(`createAuDetector: thresholds name AU(s) ${unknown.join(", ")}, which the model does not predict (it predicts ${model.aus.join(", ")})`);
  }
  const pipeline = new FacePipeline(model, { detector: opts.detector, scoreThreshold: opts.minConfidence, nmsThreshold: opts.nmsThreshold, maxFaces: opts.maxFaces, detectorSize: opts.detectorSize, template: opts.template ?? ALIGN_TEMPLATE_V1, geometry, mirrorAverage: opts.mirrorAverage ?? false });
  const def = opts.defaultThreshold ?? 0.5;
  const threshold = (au: number) => opts.thresholds?.[au] ?? def;
  const follower = new FaceFollower(pipeline, opts.detectEvery ?? 5);
  let disposed = false;
  return {
    aus: [...model.aus],
    modelDescription: (model.description ?? "custom AuModel") + (geometry ? ", fused with a landmark-geometry AU model" : ""),
    times: pipeline.times,
    async detect(input) {
      if (disposed) throw new Error("AuDetector: detect() after dispose()");
      const img = typeof input === "string" || input instanceof Uint8Array ? await decodeImage(input) : input;
      return pipeline.analyze(img).map((f) => toDetectedFace(f, model.aus, threshold));
    },
    track(frame) {
      if (disposed) throw new Error("AuDetector: track() after dispose()");
      if (!frame || !(frame.data instanceof Uint8Array) || frame.data.length !== frame.width * frame.height * 3) {
        throw new TypeError("AuDetector.track: expected a decoded RGB frame { width, height, data: Uint8Array of width*height*3 }");
      }
      const { analyses, ids } = follower.next(frame);
      return analyses.map((f, i) => ({ ...toDetectedFace(f, model.aus, threshold), id: ids[i] }));
    },
    resetTracking() {
      follower.reset();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      pipeline.dispose();
      if (ownsModel) model.dispose?.();
    },
  };
}
