/**
 * The face detectors aunce offers and their settings: kinds, defaults and option checks, with no
 * engine import, so the CLI, the Node API and the browser build share one definition.
 */

/** The face detectors: "yunet" (YuNet-n, the default) or "ssd" (SSD-MobileNetV1 from face-api). */
export type DetectorKind = "yunet" | "ssd";

/** Every detector kind, default first. */
export const DETECTOR_KINDS: readonly DetectorKind[] = ["yunet", "ssd"];

/** The default detector. */
export const DEFAULT_DETECTOR: DetectorKind = "yunet";

/** Face-detector settings as callers give them; every field optional. */
export interface FaceDetectorOptions {
  /** Which detector. Default "yunet". */
  detector?: DetectorKind;
  /** Keep faces scoring at least this (0..1, exclusive). Default per detector (DETECTOR_DEFAULTS). */
  scoreThreshold?: number;
  /** NMS IoU threshold (0..1): a face overlapping a better one by more is dropped. Default per detector. */
  nmsThreshold?: number;
  /** At most this many faces per image. Default 100. */
  maxFaces?: number;
  /**
   * YuNet: images whose longer side exceeds this are scaled down to it before detection (boxes are
   * mapped back); smaller images run at their own size (padded to a multiple of 32), so small faces
   * keep their pixels. Default 640. The SSD always runs at 512x512.
   */
  detectorSize?: number;
}

/** Settings with every field filled in. */
export type ResolvedDetectorOptions = Required<FaceDetectorOptions>;

/**
 * Defaults per detector. YuNet: score 0.6 and NMS 0.3 (the settings that found 5/5 faces in a
 * group photo and none in a landscape when this detector was chosen, issue 13), longest side 640.
 * Measured on the repo's group photos shrunk into a 640x480 frame (2-core machine): faces score
 * 0.82-0.93 down to 11 px wide, 0.62-0.63 at 9 px, so 0.6 keeps the smallest faces YuNet finds.
 * SSD: face-api's 0.5 / 0.5 at its fixed 512 input.
 */
export const DETECTOR_DEFAULTS: Readonly<Record<DetectorKind, Readonly<ResolvedDetectorOptions>>> = {
  yunet: { detector: "yunet", scoreThreshold: 0.6, nmsThreshold: 0.3, maxFaces: 100, detectorSize: 640 },
  ssd: { detector: "ssd", scoreThreshold: 0.5, nmsThreshold: 0.5, maxFaces: 100, detectorSize: 512 },
};

/**
 * Checks and fills in detector settings. Throws a RangeError naming the option (prefixed by
 * `where`, e.g. "createAuDetector") for an unknown detector, a threshold outside its range, or a
 * non-whole maxFaces / detectorSize (detectorSize >= 32).
 */
export function resolveDetectorOptions(opts: FaceDetectorOptions = {}, where = "detector"): ResolvedDetectorOptions {
  const kind = opts.detector ?? DEFAULT_DETECTOR;
  if (!DETECTOR_KINDS.includes(kind)) throw new RangeError(`${where}: detector must be one of ${DETECTOR_KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  const d = DETECTOR_DEFAULTS[kind];
  const out: ResolvedDetectorOptions = {
    detector: kind,
    scoreThreshold: opts.scoreThreshold ?? d.scoreThreshold,
    nmsThreshold: opts.nmsThreshold ?? d.nmsThreshold,
    maxFaces: opts.maxFaces ?? d.maxFaces,
    detectorSize: opts.detectorSize ?? d.detectorSize,
  };
  const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (!(num(out.scoreThreshold) && out.scoreThreshold > 0 && out.scoreThreshold < 1)) {
    throw new RangeError(`${where}: scoreThreshold must be a number between 0 and 1, got ${JSON.stringify(opts.scoreThreshold)}`);
  }
  if (!(num(out.nmsThreshold) && out.nmsThreshold > 0 && out.nmsThreshold <= 1)) {
    throw new RangeError(`${where}: nmsThreshold must be a number in (0, 1], got ${JSON.stringify(opts.nmsThreshold)}`);
  }
  if (!(num(out.maxFaces) && Number.isInteger(out.maxFaces) && out.maxFaces >= 1)) {
    throw new RangeError(`${where}: maxFaces must be a whole number >= 1, got ${JSON.stringify(opts.maxFaces)}`);
  }
  if (!(num(out.detectorSize) && Number.isInteger(out.detectorSize) && out.detectorSize >= 32)) {
    throw new RangeError(`${where}: detectorSize must be a whole number >= 32, got ${JSON.stringify(opts.detectorSize)}`);
  }
  return out;
}
