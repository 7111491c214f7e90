/**
 * The 68-point landmark net (src/face/landmarks.ts, face-api's FaceLandmark68Net) as ONNX, built
 * from the same tfjs weight map: input `x` [batch, 3, 112, 112] float32 (RGB minus the mean, / 255,
 * as FaceLandmark68Net.preprocess makes it) -> output `points` [batch, 136], (x, y) pairs in 0..1 of
 * the padded square, as forwardRaw. TF "same" padding becomes explicit asymmetric Conv pads.
 */
import { join } from "node:path";
import { faceApiAssetsDir, readTfWeights, weightReader, type TfWeight } from "../face/weights.ts";
import { emitMatMulAdd } from "./emit-layers.ts";
import { emitTfSameConv, tfKernel } from "./emit-tf.ts";
import { BATCH_DIM, GraphBuilder } from "./onnx-graph.ts";

/** Graph input and output names of the exported landmark net. */
export const LANDMARK_ONNX_IO = { input: "x", output: "points", size: 112 } as const;

/** The landmark net from a tfjs weight map -> ONNX bytes. */
export function exportLandmarkNet(weights: Map<string, TfWeight>, name = "aunce-landmarks68"): { bytes: Uint8Array; opTypes: Set<string> } {
  const { get } = weightReader(weights, "FaceLandmark68Net");
  const g = new GraphBuilder(name);
  const S = LANDMARK_ONNX_IO.size;
  let size: number = S;
  const conv = (x: string, kernel: TfWeight, bias: TfWeight | null, stride: number, depthwise: boolean, prefix: string): string => {
    const [y, next] = emitTfSameConv(g, x, tfKernel(kernel, depthwise), bias ? Float32Array.from(bias.data) : null, stride, size, prefix, depthwise);
    size = next;
    return y;
  };
  const sep = (x: string, p: string, stride: number): string => {
    const d = conv(x, get(`${p}/depthwise_filter`), null, stride, true, `${p}/depthwise`);
    return conv(d, get(`${p}/pointwise_filter`), get(`${p}/bias`), 1, false, `${p}/pointwise`);
  };
  let out = g.input(LANDMARK_ONNX_IO.input, [BATCH_DIM, 3, S, S]);
  for (let i = 0; i < 4; i++) {
    const p = `dense${i}`;
    // face-api's denseBlock4: s1 = relu(conv0 x); s_{k+1} = s_k + sep_k(relu(s_k)); out relu(s_4).
    const c0 = i === 0 ? conv(out, get(`${p}/conv0/filters`), get(`${p}/conv0/bias`), 2, false, `${p}/conv0`) : sep(out, `${p}/conv0`, 2);
    let sum = g.node("Relu", [c0]);
    for (let j = 1; j <= 3; j++) {
      const inp = j === 1 ? sum : g.node("Relu", [sum]);
      sum = g.node("Add", [sum, sep(inp, `${p}/conv${j}`, 1)]);
    }
    out = g.node("Relu", [sum]);
  }
  // 7x7 average pool with stride 2, "valid", on the 7x7 map = the spatial mean.
  const pooled = g.node("ReduceMean", [out, g.ints([2, 3])], { keepdims: 0 });
  const fcW = get("fc/weights"), fcB = get("fc/bias");
  const y = emitMatMulAdd(g, pooled, Float32Array.from(fcW.data), [fcW.shape[0], fcW.shape[1]], Float32Array.from(fcB.data), "fc");
  g.output(y, LANDMARK_ONNX_IO.output, [BATCH_DIM, 136]);
  return { bytes: g.toBytes({ producer: "aunce", docString: "face-api FaceLandmark68Net (68 points), ported by aunce" }), opTypes: g.opTypes() };
}

/** Exports the bundled landmark weights (assets/face-api) or those in `dir`. */
export function exportBundledLandmarkNet(dir = faceApiAssetsDir()): { bytes: Uint8Array; opTypes: Set<string> } {
  return exportLandmarkNet(readTfWeights(join(dir, "face_landmark_68_model-weights_manifest.json")));
}
