/**
 * Face detection: SSD with a MobileNetV1 body at 512x512, ported from @vladmandic/face-api 1.7.15
 * (MIT; itself a port of justadudewhohacks/face-api.js, trained with the TF Object Detection API).
 * Reimplemented from its source and weight manifest: TF layouts and "same" padding are translated
 * in tf-compat.ts; the depthwise batch norms are folded into the depthwise kernels at load time.
 *
 * Pipeline (as face-api): pad the image to a square at the bottom/right with zeros, legacy-bilinear
 * resize to 512, scale to -1..1; MobileNetV1 (13 depthwise-separable pairs, ReLU6); 8 extra convs;
 * 6 box predictors (3 anchors on the 32x32 map of pair 11, 6 on each later map; 5118 anchors in
 * all, stored in the weights as Output/extra_dim); TF-OD box decoding with scales (10,10,5,5);
 * score = sigmoid of class 1; greedy NMS at IoU 0.5.
 */
import { join } from "node:path";
import { foldBatchNorm } from "../nn/index.ts";
import { cat, noGrad, type Tensor } from "../tensor/index.ts";
import { imageToTensor, type RgbImage } from "./image.ts";
import { convWeight, depthwiseWeight, legacyResizeInSquare, TfSameConv2d } from "./tf-compat.ts";
import { faceApiAssetsDir, readTfWeights, weightReader, type TfWeight } from "./weights.ts";

/** A detected face in image pixels (x, y = top-left corner). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  /**
   * YuNet's 5 key points [x0, y0, ..., x4, y4] in image pixels (subject's right eye, left eye, nose
   * tip, right and left mouth corner); absent for SSD detections and boxes followed between them.
   */
  points?: Float32Array;
}

/** Detection settings; defaults are face-api's except minConfidence (0.5 there too). */
export interface DetectOptions {
  /** Keep detections scoring above this (0..1). Default 0.5. */
  minConfidence?: number;
  /** At most this many faces per image. Default 100. */
  maxResults?: number;
  /** NMS IoU threshold. Default 0.5 (fixed in face-api). */
  iouThreshold?: number;
}

const INPUT = 512;
const BN_EPS = 0.0010000000474974513; // face-api's (float32 1e-3)

// Activations stay channels-last from input to heads: libtorch's depthwise and 1x1 convs run
// several times faster in NHWC on CPU, and ReLU6 (clamp) cannot run on oneDNN's opaque layout.
const LAYOUT = "channels_last";

/** IoU of two [y0,x0,y1,x1] boxes, as face-api computes it (corners sorted, empty -> 0). */
function iouYX(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const ay0 = Math.min(a[ai], a[ai + 2]), ax0 = Math.min(a[ai + 1], a[ai + 3]);
  const ay1 = Math.max(a[ai], a[ai + 2]), ax1 = Math.max(a[ai + 1], a[ai + 3]);
  const by0 = Math.min(b[bi], b[bi + 2]), bx0 = Math.min(b[bi + 1], b[bi + 3]);
  const by1 = Math.max(b[bi], b[bi + 2]), bx1 = Math.max(b[bi + 1], b[bi + 3]);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Greedy non-maximum suppression over boxes [N*4] (y0,x0,y1,x1) with scores [N]: candidates above
 * `minScore`, best first, dropped when their IoU with a kept box exceeds `iou`. Returns indices.
 */
export function nonMaxSuppression(boxes: ArrayLike<number>, scores: ArrayLike<number>, maxResults: number, iou: number, minScore: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > minScore) order.push(i);
  order.sort((a, b) => scores[b] - scores[a]);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxResults) break;
    if (kept.every((k) => iouYX(boxes, 4 * i, boxes, 4 * k) <= iou)) kept.push(i);
  }
  return kept;
}

/** SSD-MobileNetV1 face detector on the engine. Owns its weight tensors: call dispose(). */
export class SsdMobilenetV1 {
  private readonly pw = new Map<string, TfSameConv2d>();
  private readonly dw = new Map<string, TfSameConv2d>();
  private readonly anchors: Float32Array; // [5118*4] y0,x0,y1,x1 in 0..1
  private disposed = false;

  /** Builds from a tfjs weight map (names as in ssd_mobilenetv1_model-weights_manifest.json). */
  constructor(weights: Map<string, TfWeight>) {
    const { get, vec } = weightReader(weights, "SsdMobilenetV1");
    // Every layer's input side is fixed by the 512 input: kernels are prepared for it up front.
    let size = INPUT;
    const addPw = (key: string, prefix: string, bias: string, stride = 1, inputSize = size): void => {
      const conv = new TfSameConv2d(convWeight(get(`${prefix}/weights`)), vec(`${prefix}/${bias}`), stride, 1, LAYOUT, inputSize);
      this.pw.set(key, conv);
      size = conv.outputSize(inputSize);
    };
    addPw("conv_0", "MobilenetV1/Conv2d_0_pointwise", "convolution_bn_offset", 2);
    for (let i = 1; i <= 13; i++) {
      const p = `MobilenetV1/Conv2d_${i}_depthwise`;
      // The depthwise layers' inference batch norms fold into their kernels (one conv per layer).
      const stats = { running_mean: vec(`${p}/BatchNorm/moving_mean`), running_var: vec(`${p}/BatchNorm/moving_variance`), weight: vec(`${p}/BatchNorm/gamma`), bias: vec(`${p}/BatchNorm/beta`), eps: BN_EPS };
      const kernel = depthwiseWeight(get(`${p}/depthwise_weights`));
      const folded = foldBatchNorm(kernel, null, stats);
      for (const t of [kernel, stats.running_mean, stats.running_var, stats.weight, stats.bias]) t.dispose();
      const stride = [2, 4, 6, 12].includes(i) ? 2 : 1;
      const dw = new TfSameConv2d(folded.weight, folded.bias, stride, folded.weight.shape[0], LAYOUT, size);
      this.dw.set(`conv_${i}`, dw);
      size = dw.outputSize(size);
      addPw(`conv_${i}`, `MobilenetV1/Conv2d_${i}_pointwise`, "convolution_bn_offset");
    }
    const mapSizes = [INPUT / 16, size]; // predictors read pair 11 (32x32), the body output and the strided extras
    for (let i = 0; i <= 7; i++) {
      addPw(`pred_${i}`, `Prediction/Conv2d_${i}_pointwise`, "convolution_bn_offset", i % 2 === 1 ? 2 : 1);
      if (i % 2 === 1) mapSizes.push(size);
    }
    for (let i = 0; i <= 5; i++) {
      addPw(`box_${i}`, `Prediction/BoxPredictor_${i}/BoxEncodingPredictor`, "biases", 1, mapSizes[i]);
      addPw(`cls_${i}`, `Prediction/BoxPredictor_${i}/ClassPredictor`, "biases", 1, mapSizes[i]);
    }
    const a = get("Output/extra_dim");
    this.anchors = Float32Array.from(a.data);
  }

  /** Loads the bundled weights (assets/face-api) or those in `dir`. */
  static load(dir = faceApiAssetsDir()): SsdMobilenetV1 {
    return new SsdMobilenetV1(readTfWeights(join(dir, "ssd_mobilenetv1_model-weights_manifest.json")));
  }

  /** conv + bias, then ReLU6 in place (face-api's pointwiseConvLayer and depthwise layers). */
  private convRelu6(x: Tensor, conv: TfSameConv2d): Tensor {
    return conv.forward(x).clamp_(0, 6);
  }

  /** Box encodings [B,A,4] and class logits [B,A,3] of one predictor on a feature map. */
  private predict(x: Tensor, i: number): [Tensor, Tensor] {
    const heads: Tensor[] = [];
    for (const [key, n] of [[`box_${i}`, 4], [`cls_${i}`, 3]] as const) {
      const y = this.pw.get(key)!.forward(x);
      const p = y.permute([0, 2, 3, 1]); // NHWC order so anchors enumerate as TF's reshape does
      heads.push(p.reshape([x.shape[0], -1, n]));
      y.dispose();
      p.dispose();
    }
    return heads as [Tensor, Tensor];
  }

  /**
   * Raw network outputs for a batch x [B,3,512,512] float32 in -1..1: box encodings [B,5118,4]
   * (ty,tx,th,tw) and class logits [B,5118,3].
   */
  forwardRaw(x: Tensor): { boxes: Tensor; logits: Tensor } {
    if (this.disposed) throw new Error("SsdMobilenetV1: used after dispose()");
    const input = x.contiguous("channels_last");
    let out = this.convRelu6(input, this.pw.get("conv_0")!);
    input.dispose();
    let conv11: Tensor | null = null;
    for (let i = 1; i <= 13; i++) {
      const d = this.convRelu6(out, this.dw.get(`conv_${i}`)!);
      out.dispose();
      out = this.convRelu6(d, this.pw.get(`conv_${i}`)!);
      d.dispose();
      if (i === 11) conv11 = out.alias();
    }
    // Box predictors read pair 11, the body output and every second extra conv (the strided ones).
    const maps: Tensor[] = [conv11!, out];
    let cur = out;
    for (let i = 0; i < 8; i++) {
      const next = this.convRelu6(cur, this.pw.get(`pred_${i}`)!);
      if (!maps.includes(cur)) cur.dispose();
      if (i % 2 === 1) maps.push(next);
      cur = next;
    }
    const boxList: Tensor[] = [];
    const clsList: Tensor[] = [];
    maps.forEach((m, i) => {
      const [b, c] = this.predict(m, i);
      boxList.push(b);
      clsList.push(c);
    });
    const boxes = cat(boxList, 1);
    const logits = cat(clsList, 1);
    for (const t of [...boxList, ...clsList, ...maps]) t.dispose();
    return { boxes, logits };
  }

  /** Decodes encodings [5118*4] against the anchors to [5118*4] y0,x0,y1,x1 in 0..1 units. */
  decode(enc: Float32Array): Float32Array {
    const a = this.anchors;
    const out = new Float32Array(enc.length);
    for (let i = 0; i < enc.length; i += 4) {
      const ah = a[i + 2] - a[i], aw = a[i + 3] - a[i + 1];
      const acy = a[i] + ah / 2, acx = a[i + 1] + aw / 2;
      const cy = (enc[i] / 10) * ah + acy, cx = (enc[i + 1] / 10) * aw + acx;
      const hh = (Math.exp(enc[i + 2] / 5) * ah) / 2, hw = (Math.exp(enc[i + 3] / 5) * aw) / 2;
      out[i] = cy - hh;
      out[i + 1] = cx - hw;
      out[i + 2] = cy + hh;
      out[i + 3] = cx + hw;
    }
    return out;
  }

  /**
   * The network input for an image: [1,3,512,512] float32 in -1..1 (padded bottom/right).
   * `frame`: the image as imageToTensor gives it, when the caller already has it.
   */
  preprocess(img: RgbImage, frame?: Tensor): Tensor {
    const t = frame ?? imageToTensor(img);
    const side = Math.max(img.width, img.height);
    const r = legacyResizeInSquare(t, side, 0, 0, INPUT);
    if (t !== frame) t.dispose();
    const z = r.contiguous("channels_last");
    r.dispose();
    return z.div_(127.5).sub_(1);
  }

  /** Faces in `img`, best first, boxes in image pixels (`frame`: see preprocess). */
  detect(img: RgbImage, opts: DetectOptions = {}, frame?: Tensor): FaceBox[] {
    const minConfidence = opts.minConfidence ?? 0.5;
    const maxResults = opts.maxResults ?? 100;
    if (img.width < 2 || img.height < 2) return [];
    let enc: Float32Array;
    let scores: Float32Array;
    noGrad(() => {
      const x = this.preprocess(img, frame);
      const { boxes, logits } = this.forwardRaw(x);
      x.dispose();
      const c1 = logits.select(2, 1);
      const s = c1.sigmoid();
      enc = boxes.data<"float32">();
      scores = s.data<"float32">();
      for (const t of [boxes, logits, c1, s]) t.dispose();
    });
    const boxes = this.decode(enc!);
    const keep = nonMaxSuppression(boxes, scores!, maxResults, opts.iouThreshold ?? 0.5, minConfidence);
    // face-api maps 0..1 network units back through the unpadded part of the square input; the
    // reshaped size is rounded as in its computeReshapedDimensions.
    const side = Math.max(img.width, img.height);
    const rw = Math.round((img.width * INPUT) / side), rh = Math.round((img.height * INPUT) / side);
    return keep.map((i) => {
      const top = Math.max(0, boxes[4 * i]) * (INPUT / rh), bottom = Math.min(1, boxes[4 * i + 2]) * (INPUT / rh);
      const left = Math.max(0, boxes[4 * i + 1]) * (INPUT / rw), right = Math.min(1, boxes[4 * i + 3]) * (INPUT / rw);
      return { x: left * img.width, y: top * img.height, width: (right - left) * img.width, height: (bottom - top) * img.height, score: scores[i] };
    });
  }

  /** Frees the weight tensors. */
  dispose(): void {
    if (this.disposed) return;
    for (const m of [this.pw, this.dw]) for (const c of m.values()) c.dispose();
    this.disposed = true;
  }
}
