/**
 * createFaceFinder(): the browser's face detector alone (YuNet: boxes, scores, 5 points), for pages
 * that need faces but no AUs; createAuDetector builds on the same stage.
 *
 * @example
 * const finder = await createFaceFinder({ detector: "/models/yunet_n_dynamic.onnx" });
 * const faces = await finder.find(video); // [{ x, y, width, height, score, points }]
 */
import type * as ort from "onnxruntime-web";
import { resolveDetectorOptions, type FaceDetectorOptions, type YunetFace } from "../face/geometry/index.ts";
import { toImageData } from "./pixels.ts";
import { chooseProviders, configureRuntime, loadSession, type RuntimeOptions } from "./runtime.ts";
import type { WebFrameInput } from "./types.ts";
import { detectYunet } from "./yunet.ts";

/** Options of createFaceFinder: the YuNet model URL, its settings (Node's), the runtime's. */
export interface FaceFinderOptions extends RuntimeOptions, Omit<FaceDetectorOptions, "detector"> {
  /** URL of the YuNet ONNX file (npm run web serves it as /models/yunet_n_dynamic.onnx). */
  detector: string;
}

/** A loaded face finder. */
export interface FaceFinder {
  readonly backend: string;
  /** Faces in a frame, best first, in its pixels. */
  find(input: WebFrameInput): Promise<YunetFace[]>;
  /** Milliseconds of the last find(): reading the pixels, and YuNet (input, network, decoding). */
  readonly lastTimes: { capture: number; detect: number };
  dispose(): Promise<void>;
}

/** Loads YuNet; bad settings are refused before anything loads. */
export async function createFaceFinder(opts: FaceFinderOptions): Promise<FaceFinder> {
  if (typeof opts?.detector !== "string") throw new TypeError(`createFaceFinder: detector must be the YuNet model's URL, got ${JSON.stringify(opts?.detector)}`);
  const settings = resolveDetectorOptions({ ...opts, detector: "yunet" }, "createFaceFinder");
  const { support } = configureRuntime(opts);
  const providers = await chooseProviders(opts.backend, support);
  const session: ort.InferenceSession = await loadSession(opts.detector, providers);
  const lastTimes = { capture: 0, detect: 0 };
  let disposed = false;
  return {
    backend: providers[0],
    lastTimes,
    async find(input) {
      if (disposed) throw new Error("FaceFinder: find() after dispose()");
      let t = performance.now();
      const img = await toImageData(input);
      lastTimes.capture = performance.now() - t;
      t = performance.now();
      const faces = await detectYunet(session, img, settings);
      lastTimes.detect = performance.now() - t;
      return faces;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}
