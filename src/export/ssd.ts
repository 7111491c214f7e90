/**
 * The SSD-MobileNetV1 face detector (src/face/detect.ts, face-api's) as ONNX, built from the same
 * tfjs weight map: input `x` [batch, 3, 512, 512] float32 in -1..1 (SsdMobilenetV1.preprocess) ->
 * `box_encodings` [batch, 5118, 4] (ty, tx, th, tw) and `class_logits` [batch, 5118, 3], as
 * forwardRaw; plus `anchors` [5118, 4] (y0, x0, y1, x1 in 0..1, a constant) so a runtime can
 * decode (SsdMobilenetV1.decode: TF-OD scales 10, 10, 5, 5) and score (sigmoid of class 1) without
 * reading the tfjs manifest. TF "same" padding is explicit; depthwise batch norms are folded in.
 */
import { join } from "node:path";
import { faceApiAssetsDir, readTfWeights, weightReader, type TfWeight } from "../face/weights.ts";
import { emitTfSameConv, tfKernel } from "./emit-tf.ts";
import { BATCH_DIM, GraphBuilder } from "./onnx-graph.ts";

/** Graph input and output names of the exported SSD. */
export const SSD_ONNX_IO = { input: "x", boxes: "box_encodings", logits: "class_logits", anchors: "anchors", size: 512, numAnchors: 5118 } as const;

const BN_EPS = 0.0010000000474974513; // face-api's (float32 1e-3), as detect.ts

/** The SSD from a tfjs weight map -> ONNX bytes. */
export function exportSsd(weights: Map<string, TfWeight>, name = "aunce-ssd-mobilenetv1"): { bytes: Uint8Array; opTypes: Set<string> } {
  const { get } = weightReader(weights, "SsdMobilenetV1");
  const g = new GraphBuilder(name);
  const S = SSD_ONNX_IO.size;
  const f32 = (w: TfWeight) => Float32Array.from(w.data);
  const relu6 = (v: string) => g.node("Clip", [v, g.floats([0], []), g.floats([6], [])]);
  /** 1x1 / 3x3 TF conv + bias (no activation); returns [value, output side]. */
  const pw = (x: string, prefix: string, bias: string, stride: number, size: number): [string, number] =>
    emitTfSameConv(g, x, tfKernel(get(`${prefix}/weights`), false), f32(get(`${prefix}/${bias}`)), stride, size, prefix);

  let size: number = S;
  let out: string;
  [out, size] = pw(g.input(SSD_ONNX_IO.input, [BATCH_DIM, 3, S, S]), "MobilenetV1/Conv2d_0_pointwise", "convolution_bn_offset", 2, size);
  out = relu6(out);
  let conv11 = "";
  let size11 = 0;
  for (let i = 1; i <= 13; i++) {
    const p = `MobilenetV1/Conv2d_${i}_depthwise`;
    const k = tfKernel(get(`${p}/depthwise_weights`), true);
    const mean = get(`${p}/BatchNorm/moving_mean`).data, v = get(`${p}/BatchNorm/moving_variance`).data;
    const gamma = get(`${p}/BatchNorm/gamma`).data, beta = get(`${p}/BatchNorm/beta`).data;
    const c = k.shape[0], per = k.shape[2] * k.shape[3];
    const bias = new Float32Array(c);
    for (let o = 0; o < c; o++) {
      const s = gamma[o] / Math.sqrt(v[o] + BN_EPS);
      for (let j = 0; j < per; j++) k.data[o * per + j] *= s;
      bias[o] = beta[o] - mean[o] * s;
    }
    const stride = [2, 4, 6, 12].includes(i) ? 2 : 1;
    [out, size] = emitTfSameConv(g, out, k, bias, stride, size, p, true);
    [out, size] = pw(relu6(out), `MobilenetV1/Conv2d_${i}_pointwise`, "convolution_bn_offset", 1, size);
    out = relu6(out);
    if (i === 11) [conv11, size11] = [out, size];
  }
  // Box predictors read pair 11, the body output and every second extra conv (the strided ones).
  const maps: [string, number][] = [[conv11, size11], [out, size]];
  for (let i = 0; i < 8; i++) {
    [out, size] = pw(out, `Prediction/Conv2d_${i}_pointwise`, "convolution_bn_offset", i % 2 === 1 ? 2 : 1, size);
    out = relu6(out);
    if (i % 2 === 1) maps.push([out, size]);
  }
  const boxes: string[] = [], logits: string[] = [];
  maps.forEach(([m, s], i) => {
    for (const [list, head, n] of [[boxes, "BoxEncodingPredictor", 4], [logits, "ClassPredictor", 3]] as const) {
      const [y] = pw(m, `Prediction/BoxPredictor_${i}/${head}`, "biases", 1, s);
      // NHWC order so anchors enumerate as TF's reshape does.
      list.push(g.node("Reshape", [g.node("Transpose", [y], { perm: [0, 2, 3, 1] }), g.ints([0, -1, n])]));
    }
  });
  const A = SSD_ONNX_IO.numAnchors;
  g.output(g.node("Concat", boxes, { axis: 1 }), SSD_ONNX_IO.boxes, [BATCH_DIM, A, 4]);
  g.output(g.node("Concat", logits, { axis: 1 }), SSD_ONNX_IO.logits, [BATCH_DIM, A, 3]);
  const anchors = get("Output/extra_dim");
  if (anchors.data.length !== A * 4) throw new Error(`exportSsd: expected ${A} anchors in Output/extra_dim, got [${anchors.shape}]`);
  g.output(g.weight("anchors_const", { data: f32(anchors), shape: [A, 4] }), SSD_ONNX_IO.anchors, [A, 4]);
  return { bytes: g.toBytes({ producer: "aunce", docString: "face-api SSD-MobileNetV1 face detector, ported by aunce" }), opTypes: g.opTypes() };
}

/** Exports the bundled SSD weights (assets/face-api) or those in `dir`. */
export function exportBundledSsd(dir = faceApiAssetsDir()): { bytes: Uint8Array; opTypes: Set<string> } {
  return exportSsd(readTfWeights(join(dir, "ssd_mobilenetv1_model-weights_manifest.json")));
}
