/**
 * The trainable face-api backbones (src/models/backbones/faceapi.ts) as ONNX, from their current
 * weights: the input affine map (AU normalisation -> face-api's) as Mul + Add, TF "same" convs with
 * explicit asymmetric pads, the recognition net's down blocks (2x2 average-pool shortcut, channels
 * padded with zeros, the branch padded by a zero row and column where face-api does).
 */
import { DenseBlock4, FaceApiFeatureExtractor, FaceApiRecognitionNet, RecognitionResidual, SeparableConv } from "../models/backbones/faceapi.ts";
import { SameConv2d } from "../models/backbones/tf-layers.ts";
import type { Conv2d, ModuleBuffer } from "../nn/index.ts";
import { emitConv, emitRawConv, values } from "./emit-layers.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

/** Whether emitFaceApiTokens can export this backbone. */
export function isFaceApi(bb: unknown): bb is FaceApiFeatureExtractor | FaceApiRecognitionNet {
  return bb instanceof FaceApiFeatureExtractor || bb instanceof FaceApiRecognitionNet;
}

function emitInput(g: GraphBuilder, x: string, scale: ModuleBuffer, shift: ModuleBuffer, prefix: string): string {
  const s = g.weight(`${prefix}.input_scale`, { data: values(scale), shape: [1, 3, 1, 1] });
  const t = g.weight(`${prefix}.input_shift`, { data: values(shift), shape: [1, 3, 1, 1] });
  return g.node("Add", [g.node("Mul", [x, s]), t]);
}

/** A SameConv2d on a size x size input -> [value, output side]. */
function emitSame(g: GraphBuilder, x: string, conv: SameConv2d, size: number, prefix: string): [string, number] {
  const [t, b, l, r] = conv.pads(size, size);
  const y = emitRawConv(g, x, { weight: values(conv.weight), shape: conv.weight.shape, bias: conv.bias ? values(conv.bias) : null }, {
    strides: [...conv.stride], pads: [t, l, b, r], group: conv.groups,
  }, prefix);
  return [y, Math.ceil(size / conv.stride[0])];
}

function emitSep(g: GraphBuilder, x: string, s: SeparableConv, size: number, prefix: string): [string, number] {
  const [d, next] = emitSame(g, x, s.depthwise, size, `${prefix}.depthwise`);
  return [emitConv(g, d, s.pointwise, null, `${prefix}.pointwise`), next];
}

function emitDense(g: GraphBuilder, x: string, b: DenseBlock4, size: number, prefix: string): [string, number] {
  const [c0, next] = b.conv0 instanceof SeparableConv ? emitSep(g, x, b.conv0, size, `${prefix}.conv0`) : emitSame(g, x, b.conv0, size, `${prefix}.conv0`);
  const out1 = g.node("Relu", [c0]);
  let sum = out1;
  for (const [j, c] of [b.conv1, b.conv2, b.conv3].entries()) {
    const inp = j === 0 ? out1 : g.node("Relu", [sum]);
    sum = g.node("Add", [sum, emitSep(g, inp, c, next, `${prefix}.conv${j + 1}`)[0]]);
  }
  return [g.node("Relu", [sum]), next];
}

function emitResidual(g: GraphBuilder, x: string, b: RecognitionResidual, size: number, prefix: string): [string, number] {
  const conv = (inp: string, c: Conv2d, p: string) => emitConv(g, inp, c, null, p);
  const branch = conv(g.node("Relu", [conv(x, b.conv1, `${prefix}.conv1`)]), b.conv2, `${prefix}.conv2`);
  if (!b.down) return [g.node("Relu", [g.node("Add", [branch, x])]), size];
  const next = b.outputSize(size);
  const branchSize = Math.floor((size - 3) / 2) + 1;
  const padded = branchSize === next ? branch : g.node("Pad", [branch, g.ints([0, 0, 0, 0, 0, 0, 1, 1])]);
  let pooled = g.node("AveragePool", [x], { kernel_shape: [2, 2], strides: [2, 2] });
  if (b.cout !== b.cin) pooled = g.node("Pad", [pooled, g.ints([0, 0, 0, 0, 0, b.cout - b.cin, 0, 0])]);
  return [g.node("Relu", [g.node("Add", [padded, pooled])]), next];
}

/** A face-api backbone on x [B,3,size,size] (AU-normalised) -> tokens [B, L, 256], as forwardTokens. */
export function emitFaceApiTokens(g: GraphBuilder, x: string, bb: FaceApiFeatureExtractor | FaceApiRecognitionNet, size: number, prefix = "backbone"): string {
  let out = emitInput(g, x, bb.input_scale, bb.input_shift, prefix);
  let s = size;
  if (bb instanceof FaceApiFeatureExtractor) {
    for (const [i, b] of [bb.dense0, bb.dense1, bb.dense2, bb.dense3].entries()) [out, s] = emitDense(g, out, b, s, `${prefix}.dense${i}`);
  } else {
    bb.mapSize(size); // throws for sizes face-api's shapes do not fit
    out = g.node("Relu", [emitConv(g, out, bb.conv32_down, null, `${prefix}.conv32_down`)]);
    s = Math.floor((s - 7) / 2) + 1;
    out = g.node("MaxPool", [out], { kernel_shape: [3, 3], strides: [2, 2] });
    s = Math.floor((s - 3) / 2) + 1;
    for (const [i, b] of (bb.blocks.items as RecognitionResidual[]).entries()) [out, s] = emitResidual(g, out, b, s, `${prefix}.blocks.${i}`);
  }
  const flat = g.node("Reshape", [out, g.ints([0, bb.numFeatures, -1])]);
  return g.node("Transpose", [flat], { perm: [0, 2, 1] });
}
