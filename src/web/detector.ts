/**
 * The browser detector: createAuDetector() with Node's options and result types (src/api), on
 * onnxruntime-web. Per frame: pixels (pixels.ts) -> YuNet faces (yunet.ts) -> 68 landmarks on the
 * face-api crop of each box -> similarity alignment to the template -> the AU model on the 224
 * centre crops; every step's geometry is src/face/geometry, the code the Node pipeline runs.
 * ONNX contracts (what `aunce export --format onnx` writes): the landmark net takes
 * [B,3,112,112] ((v - mean RGB) / 255, LANDMARK_MEAN_RGB) and gives [B,136] in 0..1 of its input;
 * the AU model takes [B,3,S,S] normalised as its sidecar says and gives [B,K] probabilities.
 *
 * @example
 * const d = await createAuDetector({ models: { detector: "/models/yunet_n_dynamic.onnx", landmarks: "/models/landmarks68.onnx", au: "/models/au-model.onnx", sidecar: "/models/au-model.json" } });
 * const faces = await d.detect(document.querySelector("img")!);
 * for await (const _ of frames) console.log(await d.track(video));
 * await d.dispose();
 */
import type * as ort from "onnxruntime-web";
import { checkDetectorOptions, toDetectedFace } from "../api/shared.ts";
import type { FaceAnalysis } from "../face/pipeline.ts";
import {
  ALIGN_TEMPLATE_V1, FollowPlan, LANDMARK_INPUT, faceAlignment, invertAffine, landmarkBoxForYunet, landmarkCrop, landmarkInput, landmarksFromOutput, resolveDetectorOptions, warpToChw,
  type ScoredRect,
} from "../face/geometry/index.ts";
import { loadWebModels, type WebModels } from "./models.ts";
import { mirrorImageData, toImageData } from "./pixels.ts";
import { chooseProviders, configureRuntime, runFloat, type RuntimeOptions } from "./runtime.ts";
import type { AuDetectorOptions } from "../api/detector.ts";
import type { DetectedFace, WebFrameInput, WebModelUrls } from "./types.ts";
import { detectYunet } from "./yunet.ts";
import { geometryFeatures } from "../face/geometry/au-geometry.ts";
import { fuseGeometry, predictGeometry } from "../face/geometry/geometry-model.ts";
import { mirrorFaceBox, symmetricFaceBoxes } from "../face/geometry/mirror.ts";

/** Node's options that mean the same in the browser (documented on AuDetectorOptions in src/api/detector.ts). */
type SharedOptions = Pick<AuDetectorOptions, "thresholds" | "defaultThreshold" | "minConfidence" | "nmsThreshold" | "detectorSize" | "maxFaces" | "template" | "detectEvery" | "mirrorAverage">;

/**
 * Options of the browser's createAuDetector: Node's (less the engine's) plus model URLs and runtime
 * settings. Thresholds not given fall back to the AU sidecar's, then to `defaultThreshold`.
 */
export interface WebAuDetectorOptions extends RuntimeOptions, SharedOptions {
  /** The model URLs (npm run web serves them under /models/). */
  models: WebModelUrls;
  /** Only "yunet" in the browser (the default). */
  detector?: "yunet";
}

/** Milliseconds per stage: reading the frame's pixels, YuNet, landmarks, alignment warp, AU model. */
export interface WebStageTimes {
  capture: number;
  detect: number;
  landmarks: number;
  align: number;
  au: number;
}

/** A ready browser detector; calls on one instance must not overlap (await each). */
export interface WebAuDetector {
  /** The AU numbers reported, in order (from the model's sidecar). */
  readonly aus: number[];
  /** The execution provider that runs the networks: "wasm" or "webgpu". */
  readonly backend: string;
  /** wasm threads in use (1 without cross-origin isolation). */
  readonly numThreads: number;
  /** Faces in one image or the current frame of a video/stream (the detector always runs). */
  detect(input: WebFrameInput): Promise<DetectedFace[]>;
  /** The next frame of a stream: the detector runs every `detectEvery` frames, faces keep their ids. */
  track(input: WebFrameInput): Promise<DetectedFace[]>;
  /** Forgets the followed faces (ids start again from 0). */
  resetTracking(): void;
  /** Cumulative milliseconds per stage. */
  readonly times: WebStageTimes;
  /** The last call's milliseconds per stage. */
  readonly lastTimes: WebStageTimes;
  /** Releases the sessions. */
  dispose(): Promise<void>;
}

const zeroTimes = (): WebStageTimes => ({ capture: 0, detect: 0, landmarks: 0, align: 0, au: 0 });

/** The first output of a session run on one float32 input. */
async function run1(session: ort.InferenceSession, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const out = await runFloat(session, data, dims);
  return out[session.outputNames[0]].data;
}

/** Loads the networks and returns a detector; bad options are refused before anything loads. */
export async function createAuDetector(opts: WebAuDetectorOptions): Promise<WebAuDetector> {
  if (!opts || typeof opts !== "object") throw new TypeError("createAuDetector: expected options with models: { detector, landmarks, au, sidecar } URLs");
  if (opts.detector !== undefined && opts.detector !== "yunet") throw new RangeError(`createAuDetector: the browser build runs the "yunet" detector only, got ${JSON.stringify(opts.detector)}`);
  checkDetectorOptions(opts);
  const settings = resolveDetectorOptions({ detector: "yunet", scoreThreshold: opts.minConfidence, nmsThreshold: opts.nmsThreshold, maxFaces: opts.maxFaces, detectorSize: opts.detectorSize }, "createAuDetector");
  const { support, numThreads } = configureRuntime(opts);
  const providers = await chooseProviders(opts.backend, support);
  const models: WebModels = await loadWebModels(opts.models, providers);
  const { aus, inputSize, mean, std } = models.sidecar;
  const unknown = Object.keys(opts.thresholds ?? {}).map(Number).filter((au) => !aus.includes(au));
  if (unknown.length) {
    await models.dispose();
    throw new RangeError(`createAuDetector: thresholds name AU(s) ${unknown.join(", ")}, which the model does not predict (it predicts ${aus.join(", ")})`);
  }
  const template = opts.template ?? ALIGN_TEMPLATE_V1;
  if (models.geometry && models.geometry.template !== template.version) {
    await models.dispose();
    throw new RangeError(`createAuDetector: the geometry AU model was trained on alignment template ${models.geometry.template}, the detector aligns to ${template.version}`);
  }
  if (models.sidecar.template && models.sidecar.template !== template.version) {
    await models.dispose();
    throw new RangeError(`createAuDetector: the AU model was trained on alignment template ${models.sidecar.template}, the detector aligns to ${template.version}`);
  }
  const def = opts.defaultThreshold ?? 0.5;
  const threshold = (au: number) => opts.thresholds?.[au] ?? models.sidecar.thresholds[au] ?? def;
  const plan = new FollowPlan(opts.detectEvery ?? 5);
  const times = zeroTimes();
  const lastTimes = zeroTimes();
  let disposed = false;
  let busy = false;
  const stage = (name: keyof WebStageTimes, t0: number) => {
    const now = performance.now();
    lastTimes[name] += now - t0;
    times[name] += now - t0;
    return now;
  };

  type Box = ScoredRect & { points?: Float32Array };
  /**
   * Landmarks, alignment and AU probabilities for the faces YuNet finds, or for `boxes`; with
   * mirrorAverage, as Node's pipeline: every stage on the frame and its mirror, faces the boxes the
   * two agree on (symmetricFaceBoxes), each face's probabilities averaged with its mirror's.
   */
  const analyse = async (img: ImageData, boxes?: readonly Box[]): Promise<FaceAnalysis[]> => {
    if (!opts.mirrorAverage) return analyseOnce(img, boxes);
    if (boxes && !boxes.length) return [];
    const mirrored = mirrorImageData(img);
    let faces: Box[];
    if (boxes) faces = [...boxes];
    else {
      const t = performance.now();
      faces = symmetricFaceBoxes(await detectYunet(models.detector, img, settings), await detectYunet(models.detector, mirrored, settings), img.width);
      stage("detect", t);
    }
    if (!faces.length) return [];
    const own = await analyseOnce(img, faces);
    const other = await analyseOnce(mirrored, faces.map((b) => mirrorFaceBox(b, img.width)));
    return own.map((a, i) => ({ ...a, probabilities: a.probabilities.map((p, k) => (p + other[i].probabilities[k]) / 2) }));
  };

  /** One pass of analyse() on `img` (stage times add up over the passes of a call). */
  const analyseOnce = async (img: ImageData, boxes?: readonly Box[]): Promise<FaceAnalysis[]> => {
    let t = performance.now();
    const faces: Box[] = boxes ? [...boxes] : await detectYunet(models.detector, img, settings);
    if (!boxes) t = stage("detect", t);
    if (!faces.length) return [];
    // YuNet frames faces differently from the SSD the landmark net was trained with (as in Node's pipeline).
    const crops = faces.map((b) => landmarkCrop(landmarkBoxForYunet(b), img.width, img.height));
    const raw = await run1(models.landmarks, landmarkInput(img, crops), [faces.length, 3, LANDMARK_INPUT, LANDMARK_INPUT]);
    if (raw.length !== faces.length * 136) throw new Error(`landmark model (${opts.models.landmarks}): expected ${faces.length}x136 outputs, got ${raw.length}`);
    const landmarks = landmarksFromOutput(raw, crops);
    t = stage("landmarks", t);
    const fits = landmarks.map((l, i) => faceAlignment(l, faces[i].points, template));
    const alignments = fits.map((f) => f.alignment);
    const x = warpToChw(img, alignments.map(invertAffine), inputSize, (template.size - inputSize) / 2, { mean, std });
    t = stage("align", t);
    const probs = await run1(models.au, x, [faces.length, 3, inputSize, inputSize]);
    if (probs.length !== faces.length * aus.length) throw new Error(`AU model (${opts.models.au}): expected ${faces.length}x${aus.length} outputs (its sidecar's AUs), got ${probs.length}`);
    stage("au", t);
    const n = aus.length;
    const g = models.geometry;
    return faces.map((box, i) => {
      const image = probs.slice(i * n, (i + 1) * n);
      const probabilities = g ? fuseGeometry(g, aus, image, predictGeometry(g, geometryFeatures(landmarks[i], alignments[i], template))) : image;
      return { box, landmarks: landmarks[i], alignment: alignments[i], alignedOn: fits[i].alignedOn, probabilities };
    });
  };

  /** One call: refuses overlap and use after dispose(), reads the frame, runs `f` on it. */
  const call = async <T>(what: string, input: WebFrameInput, f: (img: ImageData) => Promise<T>): Promise<T> => {
    if (disposed) throw new Error(`AuDetector: ${what}() after dispose()`);
    if (busy) throw new Error(`AuDetector: ${what}() while another call is running (await each call)`);
    busy = true;
    try {
      Object.assign(lastTimes, zeroTimes());
      const t = performance.now();
      const img = await toImageData(input);
      stage("capture", t);
      return await f(img);
    } finally {
      busy = false;
    }
  };

  return {
    aus: [...aus],
    backend: providers[0],
    numThreads,
    times,
    lastTimes,
    detect(input) {
      return call("detect", input, async (img) => (await analyse(img)).map((f) => toDetectedFace(f, aus, threshold)));
    },
    track(input) {
      return call("track", input, async (img) => {
        const predicted = plan.plan();
        const analyses = await analyse(img, predicted ?? undefined);
        const ids = plan.commit(predicted === null, analyses);
        return analyses.map((f, i) => ({ ...toDetectedFace(f, aus, threshold), id: ids[i] }));
      });
    },
    resetTracking() {
      plan.reset();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await models.dispose();
    },
  };
}
