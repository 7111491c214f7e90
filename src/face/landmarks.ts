/**
 * 68-point facial landmarks (iBUG 300-W order: 0-16 jaw, 17-26 brows, 27-35 nose, 36-47 eyes,
 * 48-67 mouth), ported from @vladmandic/face-api 1.7.15's FaceLandmark68Net (MIT).
 *
 * Pipeline (as face-api): crop the detection box (clipped to the image, floored), pad it to a
 * square with zeros centred on the short side, legacy-bilinear resize to 112, subtract the mean
 * RGB (122.782, 117.001, 104.298) and divide by 255; 4 dense blocks (each: a stride-2 conv then
 * 3 depthwise-separable convs with dense skip sums, ReLU), 7x7 average pool, FC -> 136 values,
 * (x, y) pairs in 0..1 of the padded square. One deliberate difference: points are shifted by the
 * crop's origin, where face-api shifts by the unfloored, unclipped box corner (< 1 px apart unless
 * the box leaves the image, where face-api's points are off by the clipped amount).
 */
import { join } from "node:path";
import { defaultFrozenLayout, fromFrozenLayout, toFrozenLayout, type FrozenLayout } from "../nn/index.ts";
import { cat, fromArray, noGrad, type Tensor } from "../tensor/index.ts";
import type { FaceBox } from "./detect.ts";
import { LANDMARK_INPUT, LANDMARK_MEAN_RGB, landmarkCrop, landmarksFromOutput, mirrorLandmarkInput, symmetricLandmarkOutput } from "./geometry/landmark-input.ts";
import type { RgbImage } from "./image.ts";
import { imageToTensor } from "./image.ts";
import { convWeight, depthwiseWeight, legacyResizeInSquare, TfSameConv2d } from "./tf-compat.ts";
import { faceApiAssetsDir, readTfWeights, weightReader, type TfWeight } from "./weights.ts";

export { landmarkCrop };

/** 68 points in image pixels: [x0, y0, x1, y1, ...] (Float32Array of 136). */
export type Landmarks68 = Float32Array;

const INPUT = LANDMARK_INPUT;
const MEAN_RGB = LANDMARK_MEAN_RGB;

/** TF separableConv2d: depthwise (no bias) then 1x1 with bias. */
interface Sep { dw: TfSameConv2d; pw: TfSameConv2d }
interface Block { conv0: Sep | TfSameConv2d; convs: Sep[] }

/** The 68-point landmark network on the engine. Owns its tensors: call dispose(). */
export class FaceLandmark68Net {
  private readonly blocks: Block[] = [];
  private readonly fcW: Tensor; // [256,136]
  private readonly fcB: Tensor;
  private readonly mean: Tensor; // [1,3,1,1]
  private disposed = false;

  /**
   * Builds from a tfjs weight map (names as in face_landmark_68_model-weights_manifest.json).
   * Activations run in `layout` (a ReLU-only net, so oneDNN's layout works when available).
   */
  constructor(weights: Map<string, TfWeight>, readonly layout: FrozenLayout = defaultFrozenLayout()) {
    const { get, vec } = weightReader(weights, "FaceLandmark68Net");
    let size = INPUT; // each block halves it: kernels are prepared for the sizes the net sees
    const sep = (p: string, stride: number): Sep => {
      const dwW = depthwiseWeight(get(`${p}/depthwise_filter`));
      const dw = new TfSameConv2d(dwW, null, stride, dwW.shape[0], layout, size);
      size = dw.outputSize(size);
      return { dw, pw: new TfSameConv2d(convWeight(get(`${p}/pointwise_filter`)), vec(`${p}/bias`), 1, 1, layout, size) };
    };
    for (let i = 0; i < 4; i++) {
      const p = `dense${i}`;
      let conv0: Sep | TfSameConv2d;
      if (i === 0) {
        conv0 = new TfSameConv2d(convWeight(get(`${p}/conv0/filters`)), vec(`${p}/conv0/bias`), 2, 1, layout, size);
        size = conv0.outputSize(size);
      } else conv0 = sep(`${p}/conv0`, 2);
      this.blocks.push({ conv0, convs: [1, 2, 3].map((j) => sep(`${p}/conv${j}`, 1)) });
    }
    this.fcW = vec("fc/weights");
    this.fcB = vec("fc/bias");
    this.mean = fromArray(Float32Array.from(MEAN_RGB), [1, 3, 1, 1]);
  }

  /** Loads the bundled weights (assets/face-api) or those in `dir`. */
  static load(dir = faceApiAssetsDir()): FaceLandmark68Net {
    return new FaceLandmark68Net(readTfWeights(join(dir, "face_landmark_68_model-weights_manifest.json")));
  }

  /** TF separableConv2d + bias ("same" padding). */
  private sep(x: Tensor, s: Sep): Tensor {
    const d = s.dw.forward(x);
    const y = s.pw.forward(d);
    d.dispose();
    return y;
  }

  /** face-api's denseBlock4: out1 = relu(conv0 x); out_k = sep(relu(sum of previous outs)). */
  private block(x: Tensor, b: Block): Tensor {
    let sum = (b.conv0 instanceof TfSameConv2d ? b.conv0.forward(x) : this.sep(x, b.conv0)).relu_();
    // sum_k = out1 + ... + out_k; the next conv reads relu(sum_k), which out1 already is.
    for (const [k, s] of b.convs.entries()) {
      const inp = k === 0 ? sum.alias() : sum.relu();
      const o = this.sep(inp, s);
      inp.dispose();
      const next = k === 0 ? o.add_(sum) : sum.add_(o);
      if (k === 0) sum.dispose();
      else o.dispose();
      sum = next;
    }
    return sum.relu_();
  }

  /** Raw outputs for x [B,3,112,112] (mean-subtracted, /255): [B,136] in 0..1 of the input. */
  forwardRaw(x: Tensor): Tensor {
    if (this.disposed) throw new Error("FaceLandmark68Net: used after dispose()");
    let out = toFrozenLayout(x, this.layout);
    for (const b of this.blocks) {
      const next = this.block(out, b);
      out.dispose();
      out = next;
    }
    const dense = fromFrozenLayout(out, this.layout);
    out.dispose();
    // 7x7 average pool with stride 2, "valid", on a 7x7 map = the spatial mean.
    const pooled = dense.mean([2, 3]);
    dense.dispose();
    const y = pooled.matmul(this.fcW);
    const z = y.add(this.fcB);
    pooled.dispose();
    y.dispose();
    return z;
  }

  /** Network inputs [B,3,112,112] for each face box, and the crops they came from. */
  preprocess(img: RgbImage, boxes: readonly FaceBox[], frame?: Tensor): { x: Tensor; crops: ReturnType<typeof landmarkCrop>[] } {
    const full = frame ?? imageToTensor(img);
    const crops = boxes.map((b) => landmarkCrop(b, img.width, img.height));
    const inputs = crops.map((c) => {
      const w = Math.max(c.w, 1), h = Math.max(c.h, 1);
      const rows = full.narrow(2, Math.min(c.y, img.height - 1), h);
      const crop = rows.narrow(3, Math.min(c.x, img.width - 1), w);
      const side = Math.max(w, h);
      // face-api centres the crop: round(diff/2) zeros after it, the rest before.
      const diff = Math.abs(w - h);
      const before = diff - Math.round(diff / 2);
      const r = legacyResizeInSquare(crop, side, w < h ? before : 0, h < w ? before : 0, INPUT);
      rows.dispose();
      crop.dispose();
      return r;
    });
    if (full !== frame) full.dispose();
    const batch = cat(inputs, 0);
    for (const t of inputs) t.dispose();
    const centred = batch.sub(this.mean);
    const x = centred.div(255);
    batch.dispose();
    centred.dispose();
    return { x, crops };
  }

  /**
   * Landmarks for each box in `boxes` (same order), in image pixels. `symmetric` also runs the net
   * on each input's mirror image and averages the two (geometry/landmark-input.ts
   * symmetricLandmarkOutput): twice the cost, and a mirrored photo gets mirrored points.
   */
  detect(img: RgbImage, boxes: readonly FaceBox[], frame?: Tensor, symmetric = false): Landmarks68[] {
    if (!boxes.length) return [];
    let raw!: Float32Array;
    let crops!: ReturnType<typeof landmarkCrop>[];
    noGrad(() => {
      const p = this.preprocess(img, boxes, frame);
      crops = p.crops;
      let x = p.x;
      if (symmetric) {
        const m = fromArray(mirrorLandmarkInput(p.x.data<"float32">()), p.x.shape);
        x = cat([p.x, m], 0);
        m.dispose();
        p.x.dispose();
      }
      const y = this.forwardRaw(x);
      x.dispose();
      const all = y.data<"float32">();
      y.dispose();
      const n = boxes.length * 136;
      raw = symmetric ? symmetricLandmarkOutput(all.subarray(0, n), all.subarray(n)) : all;
    });
    return landmarksFromOutput(raw, crops);
  }

  /** Frees the weight tensors. */
  dispose(): void {
    if (this.disposed) return;
    for (const b of this.blocks) {
      if (b.conv0 instanceof TfSameConv2d) b.conv0.dispose();
      else for (const c of Object.values(b.conv0)) c.dispose();
      for (const s of b.convs) for (const c of Object.values(s)) c.dispose();
    }
    for (const t of [this.fcW, this.fcB, this.mean]) t.dispose();
    this.disposed = true;
  }
}
