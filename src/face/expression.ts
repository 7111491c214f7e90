/**
 * Facial expression classifier (7 classes), ported from @vladmandic/face-api 1.7.15's
 * FaceExpressionNet (MIT; trained on real faces by justadudewhohacks for face-api.js).
 *
 * face-api builds it from the same FaceFeatureExtractor as the 68-point landmark net (crop, pad to a
 * square, resize to 112, mean-RGB subtraction, 4 dense blocks, 7x7 average pool) with a 256 -> 7
 * fully connected layer and a softmax on top. `FaceLandmark68Net` is exactly that extractor + FC
 * (the FC's width is read from the weights), so it runs the expression weights unchanged and this
 * module adds the softmax and the labels.
 *
 * face-api runs it on `alignedRect` when landmarks are known: the landmarks' bounding box padded by
 * 20% of its size on each side (`expressionBox`), otherwise on the detection box.
 */
import { join } from "node:path";
import { defaultFrozenLayout, type FrozenLayout } from "../nn/index.ts";
import { noGrad, type Tensor } from "../tensor/index.ts";
import type { FaceBox } from "./detect.ts";
import type { RgbImage } from "./image.ts";
import { FaceLandmark68Net, type Landmarks68 } from "./landmarks.ts";
import { faceApiAssetsDir, readTfWeights, type TfWeight } from "./weights.ts";

/** face-api's class order. */
export const EXPRESSION_LABELS = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"] as const;
export type Expression = (typeof EXPRESSION_LABELS)[number];

/** One face's class probabilities (sum 1), keyed by label, and the most likely class. */
export interface ExpressionResult {
  probabilities: Record<Expression, number>;
  top: Expression;
  topProbability: number;
}

/**
 * The box face-api's expression (and recognition) nets see once landmarks are known: the points'
 * bounding box, padded by `padding` of its width/height on each side (face-api's alignMinBbox, 0.2).
 */
export function expressionBox(landmarks: Landmarks68, padding = 0.2): FaceBox {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarks.length; i += 2) {
    x0 = Math.min(x0, landmarks[i]); x1 = Math.max(x1, landmarks[i]);
    y0 = Math.min(y0, landmarks[i + 1]); y1 = Math.max(y1, landmarks[i + 1]);
  }
  const w = x1 - x0, h = y1 - y0;
  return { x: x0 - w * padding, y: y0 - h * padding, width: w * (1 + 2 * padding), height: h * (1 + 2 * padding), score: 1 };
}

/** The expression net on the engine. Owns its tensors: call dispose(). */
export class FaceExpressionNet {
  private readonly net: FaceLandmark68Net;

  /** Builds from a tfjs weight map (names as in face_expression_model-weights_manifest.json). */
  constructor(weights: Map<string, TfWeight>, layout: FrozenLayout = defaultFrozenLayout()) {
    const fc = weights.get("fc/weights");
    if (!fc || fc.shape.length !== 2 || fc.shape[1] !== EXPRESSION_LABELS.length) {
      throw new Error(`FaceExpressionNet: 'fc/weights' must be [256, ${EXPRESSION_LABELS.length}], got ${fc ? `[${fc.shape}]` : "nothing"}`);
    }
    this.net = new FaceLandmark68Net(weights, layout);
  }

  /** Loads the bundled weights (assets/face-api) or those in `dir`. */
  static load(dir = faceApiAssetsDir()): FaceExpressionNet {
    return new FaceExpressionNet(readTfWeights(join(dir, "face_expression_model-weights_manifest.json")));
  }

  /** Probabilities [B,7] for network inputs x [B,3,112,112] (as FaceLandmark68Net.preprocess makes). */
  forward(x: Tensor): Tensor {
    const logits = this.net.forwardRaw(x);
    const p = logits.softmax(1);
    logits.dispose();
    return p;
  }

  /** Expressions of the faces in `boxes` (same order); `frame` is the image as a tensor, if made. */
  classify(img: RgbImage, boxes: readonly FaceBox[], frame?: Tensor): ExpressionResult[] {
    if (!boxes.length) return [];
    let raw!: Float32Array;
    noGrad(() => {
      const { x } = this.net.preprocess(img, boxes, frame);
      const p = this.forward(x);
      x.dispose();
      raw = p.data<"float32">();
      p.dispose();
    });
    const k = EXPRESSION_LABELS.length;
    return boxes.map((_, f) => {
      const probabilities = {} as Record<Expression, number>;
      let top: Expression = EXPRESSION_LABELS[0];
      EXPRESSION_LABELS.forEach((l, i) => {
        probabilities[l] = raw[f * k + i];
        if (raw[f * k + i] > probabilities[top]) top = l;
      });
      return { probabilities, top, topProbability: probabilities[top] };
    });
  }

  /** Frees the weight tensors. */
  dispose(): void {
    this.net.dispose();
  }
}
