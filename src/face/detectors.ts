/**
 * The face detectors behind one interface, chosen by name (geometry/detector-options.ts holds the
 * kinds, defaults and checks, shared with the browser build): YuNet-n (default; boxes plus 5 key
 * points) or the SSD-MobileNetV1 port (boxes only).
 */
import { resolveDetectorOptions, type FaceDetectorOptions, type ResolvedDetectorOptions } from "./geometry/detector-options.ts";
import { SsdMobilenetV1, type FaceBox } from "./detect.ts";
import type { RgbImage } from "./image.ts";
import { YuNet } from "./yunet.ts";
import type { Tensor } from "../tensor/index.ts";

/** A face detector: faces best first, boxes (and YuNet's 5 points) in image pixels. */
export interface FaceDetector {
  readonly options: Readonly<ResolvedDetectorOptions>;
  /** `frame`: the image as imageToTensor gives it, when the caller already has it (the SSD reuses it). */
  detect(img: RgbImage, frame?: Tensor): FaceBox[];
  dispose(): void;
}

class YunetDetector implements FaceDetector {
  private readonly net = YuNet.load();
  constructor(readonly options: Readonly<ResolvedDetectorOptions>) {}
  detect(img: RgbImage): FaceBox[] {
    return this.net.detect(img, this.options);
  }
  dispose(): void {
    this.net.dispose();
  }
}

class SsdDetector implements FaceDetector {
  private readonly net: SsdMobilenetV1;
  constructor(readonly options: Readonly<ResolvedDetectorOptions>, weightsDir?: string) {
    this.net = SsdMobilenetV1.load(weightsDir);
  }
  detect(img: RgbImage, frame?: Tensor): FaceBox[] {
    return this.net.detect(img, { minConfidence: this.options.scoreThreshold, iouThreshold: this.options.nmsThreshold, maxResults: this.options.maxFaces }, frame);
  }
  dispose(): void {
    this.net.dispose();
  }
}

/**
 * Loads the detector `opts.detector` names (default YuNet) with its settings checked and filled in
 * (RangeError naming the option otherwise). `faceApiDir`: where the SSD's face-api weights are.
 */
export function createFaceDetector(opts: FaceDetectorOptions = {}, faceApiDir?: string, where = "detector"): FaceDetector {
  const o = resolveDetectorOptions(opts, where);
  return o.detector === "yunet" ? new YunetDetector(o) : new SsdDetector(o, faceApiDir);
}
