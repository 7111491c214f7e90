/**
 * The detector API's engine-free parts, shared by the Node entry (./detector.ts) and the browser
 * build (src/web): option checks and the public shape of an analysed face.
 */
import type { FaceAnalysis } from "../face/pipeline.ts";
import { resolveDetectorOptions } from "../face/geometry/detector-options.ts";
import type { AuDetectorOptions, DetectedFace } from "./detector.ts";

/** Turns pipeline output into the public shape. */
export function toDetectedFace(f: FaceAnalysis, aus: readonly number[], threshold: (au: number) => number): DetectedFace {
  const landmarks: [number, number][] = [];
  for (let i = 0; i < 68; i++) landmarks.push([f.landmarks[2 * i], f.landmarks[2 * i + 1]]);
  const pts = f.box.points;
  return {
    box: { x: f.box.x, y: f.box.y, width: f.box.width, height: f.box.height },
    confidence: f.box.score,
    landmarks,
    ...(pts ? { keypoints: [0, 1, 2, 3, 4].map((k): [number, number] => [pts[2 * k], pts[2 * k + 1]]) } : {}),
    alignedOn: f.alignedOn,
    aus: aus.map((au, k) => ({ au, name: `AU${String(au).padStart(2, "0")}`, probability: f.probabilities[k], present: f.probabilities[k] >= threshold(au) })),
  };
}

/**
 * Checks the options the way the CLI checks its flags, before anything is loaded: thresholds and
 * defaultThreshold in [0, 1] keyed by AU number, minConfidence in (0, 1), a known detector,
 * nmsThreshold in (0, 1], detectorSize a whole number >= 32, maxFaces and detectEvery whole
 * numbers >= 1. Throws a RangeError naming the option.
 */
export function checkDetectorOptions(opts: AuDetectorOptions): void {
  const inUnit = (v: unknown) => typeof v === "number" && v >= 0 && v <= 1;
  const whole = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;
  if (opts.thresholds !== undefined) {
    if (opts.thresholds === null || typeof opts.thresholds !== "object" || Array.isArray(opts.thresholds)) {
      throw new RangeError("createAuDetector: thresholds must map AU numbers to thresholds, e.g. { 12: 0.4 }");
    }
    for (const [k, v] of Object.entries(opts.thresholds)) {
      if (!/^[1-9]\d*$/.test(k)) throw new RangeError(`createAuDetector: thresholds key '${k}' is not an AU number (e.g. 12 for AU12)`);
      if (!inUnit(v)) throw new RangeError(`createAuDetector: thresholds[${k}] must be a number in [0, 1], got ${JSON.stringify(v)}`);
    }
  }
  if (opts.defaultThreshold !== undefined && !inUnit(opts.defaultThreshold)) throw new RangeError(`createAuDetector: defaultThreshold must be a number in [0, 1], got ${JSON.stringify(opts.defaultThreshold)}`);
  if (opts.minConfidence !== undefined && !(typeof opts.minConfidence === "number" && opts.minConfidence > 0 && opts.minConfidence < 1)) {
    throw new RangeError(`createAuDetector: minConfidence must be a number between 0 and 1, got ${JSON.stringify(opts.minConfidence)}`);
  }
  resolveDetectorOptions({ detector: opts.detector, nmsThreshold: opts.nmsThreshold, detectorSize: opts.detectorSize }, "createAuDetector");
  if (opts.maxFaces !== undefined && !whole(opts.maxFaces)) throw new RangeError(`createAuDetector: maxFaces must be a whole number >= 1, got ${JSON.stringify(opts.maxFaces)}`);
  if (opts.detectEvery !== undefined && !whole(opts.detectEvery)) throw new RangeError(`createAuDetector: detectEvery must be a whole number >= 1, got ${JSON.stringify(opts.detectEvery)}`);
  if (opts.mirrorAverage !== undefined && typeof opts.mirrorAverage !== "boolean") throw new TypeError(`createAuDetector: mirrorAverage must be true or false, got ${JSON.stringify(opts.mirrorAverage)}`);
}

