/**
 * The browser detector: createAuDetector() with Node's options and result types (src/api), on
 * onnxruntime-web. Frames come from any browser image source (pixels.ts); the networks load from
 * URLs (models.ts); the face geometry is src/face/geometry, shared with Node.
 *
 * @example
 * const d = await createAuDetector({ models: { detector: "/models/yunet_n_dynamic.onnx", landmarks: "/models/landmarks68.onnx", au: "/models/au.onnx", sidecar: "/models/au.json" } });
 * const faces = await d.detect(document.querySelector("img")!);
 * d.dispose();
 */
import { loadWebModels, type WebModels } from "./models.ts";
import { toImageData } from "./pixels.ts";
import { chooseProviders, configureRuntime, type RuntimeOptions } from "./runtime.ts";
import type { AlignTemplate, DetectedFace, StageTimes, WebFrameInput, WebModelUrls } from "./types.ts";

/** Options of the browser's createAuDetector: Node's (less the engine's) plus model URLs and runtime settings. */
export interface WebAuDetectorOptions extends RuntimeOptions {
  /** The model URLs (npm run web serves them under /models/). */
  models: WebModelUrls;
  /** Per-AU presence thresholds (AU number -> threshold); others use the sidecar's, then `defaultThreshold`. */
  thresholds?: Record<number, number>;
  /** Default 0.5 (the spec's F1 threshold). */
  defaultThreshold?: number;
  /** Detector score threshold 0..1. Default 0.5. */
  minConfidence?: number;
  /** At most this many faces per image. Default 100. */
  maxFaces?: number;
  /** Alignment template. Default aunce-align-v1 (must match the model's sidecar). */
  template?: AlignTemplate;
  /** track(): run the face detector on every k-th frame, follow faces in between. Default 5. */
  detectEvery?: number;
}

/** A ready browser detector; calls on one instance must not overlap (await each). */
export interface WebAuDetector {
  /** The AU numbers reported, in order (from the model's sidecar). */
  readonly aus: number[];
  /** The execution provider that runs the networks: "wasm" or "webgpu". */
  readonly backend: string;
  /** wasm threads in use (1 without cross-origin isolation). */
  readonly numThreads: number;
  /** Faces in one image or the current frame of a video/stream. */
  detect(input: WebFrameInput): Promise<DetectedFace[]>;
  /** The next frame of a stream: the detector runs every `detectEvery` frames, faces keep their ids. */
  track(input: WebFrameInput): Promise<DetectedFace[]>;
  /** Forgets the followed faces (ids start again from 0). */
  resetTracking(): void;
  /** Cumulative milliseconds per stage (capture: reading the frame's pixels). */
  readonly times: StageTimes & { capture: number };
  /** The last call's milliseconds per stage. */
  readonly lastTimes: StageTimes & { capture: number };
  /** Releases the sessions. */
  dispose(): Promise<void>;
}

const zeroTimes = () => ({ capture: 0, prepare: 0, detect: 0, landmarks: 0, align: 0, au: 0 });

/** Loads the networks and returns a detector; bad options are refused before anything loads. */
export async function createAuDetector(opts: WebAuDetectorOptions): Promise<WebAuDetector> {
  if (!opts || typeof opts !== "object") throw new TypeError("createAuDetector: expected options with models: { detector, landmarks, au, sidecar } URLs");
  const { support, numThreads } = configureRuntime(opts);
  const providers = await chooseProviders(opts.backend, support);
  const models: WebModels = await loadWebModels(opts.models, providers);
  const times = zeroTimes();
  const lastTimes = zeroTimes();
  let disposed = false;
  const run = async (input: WebFrameInput, tracking: boolean): Promise<DetectedFace[]> => {
    if (disposed) throw new Error(`AuDetector: ${tracking ? "track" : "detect"}() after dispose()`);
    const t = performance.now();
    const frame = await toImageData(input);
    lastTimes.capture = performance.now() - t;
    times.capture += lastTimes.capture;
    void frame;
    throw new Error("aunce web: the face stages wait for the shared geometry module (src/face/geometry: YuNet decode, landmark crop, alignment)");
  };
  return {
    aus: [...models.sidecar.aus],
    backend: providers[0],
    numThreads,
    times,
    lastTimes,
    detect: (input) => run(input, false),
    track: (input) => run(input, true),
    resetTracking() {},
    async dispose() {
      if (disposed) return;
      disposed = true;
      await models.dispose();
    },
  };
}
