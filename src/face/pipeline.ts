/**
 * The per-image face pipeline: detect (YuNet by default, or the SSD) -> 68 landmarks -> similarity alignment to the template
 * -> AU model on the 224 centre crops. Stage times are accumulated for benchmarks.
 */
import { fromArray, noGrad, type Tensor } from "../tensor/index.ts";
import { ALIGN_TEMPLATE_V1, type Affine, type AlignTemplate, warpFaces, AU_INPUT } from "./align.ts";
import type { AuModel } from "./au-model.ts";
import type { FaceBox } from "./detect.ts";
import { createFaceDetector, type FaceDetector } from "./detectors.ts";
import type { FaceDetectorOptions } from "./geometry/detector-options.ts";
import { landmarkBoxForYunet } from "./geometry/landmark-crop.ts";
import { faceAlignment } from "./geometry/similarity.ts";
import { geometryFeatures } from "./geometry/au-geometry.ts";
import { fuseGeometry, predictGeometry, type GeometryModelFile } from "./geometry/geometry-model.ts";
import { imageToTensor, mirrorImage, type RgbImage } from "./image.ts";
import { mirrorFaceBox, symmetricFaceBoxes } from "./geometry/mirror.ts";
import { FaceLandmark68Net, type Landmarks68 } from "./landmarks.ts";

/** One analysed face. */
export interface FaceAnalysis {
  box: FaceBox;
  landmarks: Landmarks68;
  /** Image pixels -> template crop pixels. */
  alignment: Affine;
  /**
   * What the alignment was fitted to: the 68 landmarks, or YuNet's 5 points when the landmarks
   * failed their sanity checks against them (geometry/similarity.ts landmarkDisagreement).
   */
  alignedOn: "landmarks68" | "points5";
  /** Per AU of the model (model.aus order): probability 0..1 (fused with the geometry model when the pipeline has one). */
  probabilities: Float32Array;
}

/** Milliseconds spent per stage since the last reset. */
export interface StageTimes {
  /** The frame as a float tensor, made once and shared by the three stages after it. */
  prepare: number;
  detect: number;
  landmarks: number;
  align: number;
  au: number;
}

/** Settings of a FacePipeline. */
export interface PipelineOptions extends FaceDetectorOptions {
  template?: AlignTemplate;
  /** The score threshold under its older name (scoreThreshold wins when both are given). */
  minConfidence?: number;
  /**
   * A landmark-geometry AU model (geometry/geometry-model.ts) fused with the AU model's
   * probabilities (its own fusion rule) for the AUs it has; off when absent.
   */
  geometry?: GeometryModelFile;
  /**
   * Landmarks averaged with those of the mirrored crop (FaceLandmark68Net.detect's `symmetric`),
   * so a mirrored photo is aligned as the mirror of the original: twice the landmark cost.
   */
  symmetricLandmarks?: boolean;
  /**
   * Runs every stage on the image and on its mirror image and averages each face's AU
   * probabilities with its mirror's: faces are the union of both detections, with overlapping pairs
   * averaged (geometry/mirror.ts symmetricFaceBoxes), so a photo and its mirror get the same AU
   * probabilities (to float rounding). Twice the cost; boxes and landmarks reported are the image's.
   */
  mirrorAverage?: boolean;
}

/** Owns the detector and landmark nets (and the AU model once given): call dispose(). */
export class FacePipeline {
  readonly detector: FaceDetector;
  readonly landmarker: FaceLandmark68Net;
  readonly template: AlignTemplate;
  readonly times: StageTimes = { prepare: 0, detect: 0, landmarks: 0, align: 0, au: 0 };
  private readonly mean: Tensor;
  private readonly std: Tensor;

  constructor(readonly auModel: AuModel, readonly options: PipelineOptions = {}, weightsDir?: string) {
    this.detector = createFaceDetector({ ...options, scoreThreshold: options.scoreThreshold ?? options.minConfidence }, weightsDir, "FacePipeline");
    this.landmarker = FaceLandmark68Net.load(weightsDir);
    this.template = options.template ?? ALIGN_TEMPLATE_V1;
    if (options.geometry && options.geometry.template !== this.template.version) {
      throw new RangeError(`FacePipeline: the geometry AU model was trained on template ${options.geometry.template}, the pipeline aligns to ${this.template.version}`);
    }
    auModel.prepare?.();
    const norm = auModel.normalisation ?? AU_INPUT;
    this.mean = fromArray(Float32Array.from(norm.mean), [1, 3, 1, 1]);
    this.std = fromArray(Float32Array.from(norm.std), [1, 3, 1, 1]);
  }

  /** Faces in the image, best first (detection only). */
  detect(img: RgbImage, frame?: Tensor): FaceBox[] {
    const t0 = performance.now();
    const boxes = this.detector.detect(img, frame);
    this.times.detect += performance.now() - t0;
    return boxes;
  }

  /**
   * Landmarks, alignment and AU probabilities for the faces in `img`: those found by the detector,
   * or `boxes` when given (video frames between detections).
   */
  analyze(img: RgbImage, boxes?: readonly FaceBox[]): FaceAnalysis[] {
    if (boxes && !boxes.length) return [];
    if (!this.options.mirrorAverage) return this.analyzeOnce(img, boxes);
    const mirrored = mirrorImage(img);
    const faces = boxes ?? symmetricFaceBoxes(this.detect(img), this.detect(mirrored), img.width);
    if (!faces.length) return [];
    const own = this.analyzeOnce(img, faces);
    const other = this.analyzeOnce(mirrored, faces.map((b) => mirrorFaceBox(b, img.width)));
    return own.map((a, i) => ({ ...a, probabilities: a.probabilities.map((p, k) => (p + other[i].probabilities[k]) / 2) }));
  }

  private analyzeOnce(img: RgbImage, boxes?: readonly FaceBox[]): FaceAnalysis[] {
    return noGrad(() => {
      let t = performance.now();
      const frame = imageToTensor(img);
      this.times.prepare += performance.now() - t;
      try {
        const faces = boxes ?? this.detect(img, frame);
        if (!faces.length) return [];
        t = performance.now();
        // YuNet frames faces differently from the SSD the landmark net was trained with: its boxes
        // (detected, or followed from detected ones) are reframed for the landmark crop.
        const yunet = this.detector.options.detector === "yunet";
        const landmarks = this.landmarker.detect(img, yunet ? faces.map((b) => landmarkBoxForYunet(b)) : faces, frame, this.options.symmetricLandmarks ?? false);
        const now1 = performance.now();
        this.times.landmarks += now1 - t;
        t = now1;
        const fits = landmarks.map((l, i) => faceAlignment(l, faces[i].points, this.template));
        const alignedOn = fits.map((f) => f.alignedOn);
        const alignments = fits.map((f) => f.alignment);
        const off = (this.template.size - AU_INPUT.size) / 2;
        const x = warpFaces(frame, alignments, AU_INPUT.size, off).sub_(this.mean).div_(this.std);
        const now2 = performance.now();
        this.times.align += now2 - t;
        t = now2;
        const p = this.auModel.predict(x);
        x.dispose();
        const probs = p.data<"float32">();
        p.dispose();
        const n = this.auModel.aus.length;
        const g = this.options.geometry;
        const perFace = faces.map((_, i) => {
          const image = probs.slice(i * n, (i + 1) * n);
          return g ? fuseGeometry(g, this.auModel.aus, image, predictGeometry(g, geometryFeatures(landmarks[i], alignments[i], this.template))) : image;
        });
        this.times.au += performance.now() - t;
        return faces.map((box, i) => ({ box, landmarks: landmarks[i], alignment: alignments[i], alignedOn: alignedOn[i], probabilities: perFace[i] }));
      } finally {
        frame.dispose();
      }
    });
  }

  /** Zeroes the stage timers. */
  resetTimes(): void {
    this.times.prepare = this.times.detect = this.times.landmarks = this.times.align = this.times.au = 0;
  }

  dispose(): void {
    this.detector.dispose();
    this.landmarker.dispose();
    this.mean.dispose();
    this.std.dispose();
  }
}

export { followBox } from "./geometry/follow.ts";
