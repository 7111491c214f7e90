/**
 * Exports an AU model of the detection pipeline (src/face/au-model.ts) to ONNX with the same
 * contract as its predict(): input `crops` [batch, 3, 224, 224] float32 (aligned, normalised as the
 * model says) -> output `probabilities` [batch, N] in 0..1. A GraphAuModel trained at another crop
 * size gets the same antialiased bilinear resize predict() applies (exact weights: emit-resize.ts).
 */
import { GraphAuModel, LinearProbeAuModel, type AuModel } from "../face/au-model.ts";
import type { AuModel as GraphNetwork } from "../models/au-model.ts";
import { AU_INPUT } from "../face/align.ts";
import { ResNet } from "../models/backbones/resnet.ts";
import { emitFromTokens } from "./emit-head.ts";
import { emitLinear } from "./emit-layers.ts";
import { emitAntialiasResize } from "./emit-resize.ts";
import { emitResNetFeatures, emitResNetTokens } from "./emit-resnet.ts";
import { emitSwinTokens, isSwin } from "./emit-swin.ts";
import { emitFaceApiTokens, isFaceApi } from "./emit-faceapi.ts";
import { BATCH_DIM, GraphBuilder } from "./onnx-graph.ts";

/** Graph input and output names of an exported AU model. */
export const AU_ONNX_IO = { input: "crops", output: "probabilities" } as const;

/** What exportAuModel returns: the ONNX bytes and facts for the sidecar. */
export interface AuOnnx {
  bytes: Uint8Array;
  /** Square input side the graph takes (the pipeline's aligned crop, 224). */
  inputSize: number;
  /** Side the network itself runs at (after the in-graph resize). */
  networkSize: number;
  opTypes: Set<string>;
}

/**
 * AuModel (a GraphAuModel with a ResNet, Swin or face-api backbone, or a LinearProbeAuModel) -> ONNX.
 * `description` (default the model's) becomes the ONNX doc string.
 */
export function exportAuModel(model: AuModel, opts: { name?: string; description?: string } = {}): AuOnnx {
  const size = AU_INPUT.size;
  const g = new GraphBuilder(opts.name ?? "aunce-au");
  const x = g.input(AU_ONNX_IO.input, [BATCH_DIM, 3, size, size]);
  let out: string;
  let networkSize: number = size;
  if (model instanceof GraphAuModel) {
    networkSize = model.inputSize;
    // predict(): interpolate(bilinear, alignCorners false, antialias true) when the sizes differ.
    const r = networkSize === size ? x : emitAntialiasResize(g, x, [size, size], [networkSize, networkSize]);
    const bb = model.net.backbone;
    let tokens: string;
    if (bb instanceof ResNet) tokens = emitResNetTokens(g, r, bb);
    else if (isSwin(bb)) tokens = emitSwinTokens(g, r, bb, networkSize);
    else if (isFaceApi(bb)) tokens = emitFaceApiTokens(g, r, bb, networkSize);
    else throw new Error(`exportAuModel: backbone ${bb.constructor.name} has no ONNX emitter (ResNet, Swin and the face-api backbones have)`);
    if (model.net.head.output !== "scores") throw new Error("exportAuModel: an AUNCE encoder outputs embeddings, not probabilities; only supervised (ME-GraphAU) models export as AU detectors");
    out = g.node("Clip", [emitFromTokens(g, tokens, model.net), g.floats([0], []), g.floats([1], [])]);
  } else if (model instanceof LinearProbeAuModel) {
    const f = emitResNetFeatures(g, x, model.backbone);
    const pooled = g.node("Flatten", [g.node("GlobalAveragePool", [f])], { axis: 1 });
    out = g.node("Sigmoid", [emitLinear(g, pooled, model.head, "head")]);
  } else {
    throw new Error(`exportAuModel: ${model.constructor?.name ?? "this model"} has no ONNX exporter (GraphAuModel and LinearProbeAuModel do)`);
  }
  g.output(out, AU_ONNX_IO.output, [BATCH_DIM, model.aus.length]);
  return { bytes: g.toBytes({ producer: "aunce", docString: opts.description ?? model.description }), inputSize: size, networkSize, opTypes: g.opTypes() };
}

/**
 * An AUNCE encoder (src/models/au-model.ts with the "embeddings" head) -> ONNX: input `images`
 * [batch, 3, size, size] float32, normalised -> output `embeddings` [batch, C, N], unit norm per AU,
 * as net.forward (no resize: `size` is what the encoder was trained at).
 */
export function exportAuEncoder(net: GraphNetwork, size: number, opts: { name?: string; description?: string } = {}): { bytes: Uint8Array; opTypes: Set<string> } {
  if (net.head.output !== "embeddings") throw new Error("exportAuEncoder: this network outputs ME-GraphAU scores; wrap it in a GraphAuModel and use exportAuModel");
  const g = new GraphBuilder(opts.name ?? "aunce-encoder");
  const x = g.input("images", [BATCH_DIM, 3, size, size]);
  const bb = net.backbone;
  let tokens: string;
  if (bb instanceof ResNet) tokens = emitResNetTokens(g, x, bb);
  else if (isSwin(bb)) tokens = emitSwinTokens(g, x, bb, size);
  else if (isFaceApi(bb)) tokens = emitFaceApiTokens(g, x, bb, size);
  else throw new Error(`exportAuEncoder: backbone ${bb.constructor.name} has no ONNX emitter (ResNet, Swin and the face-api backbones have)`);
  g.output(emitFromTokens(g, tokens, net), "embeddings", [BATCH_DIM, net.head.channels, net.head.numAus]);
  return { bytes: g.toBytes({ producer: "aunce", docString: opts.description ?? "AUNCE encoder" }), opTypes: g.opTypes() };
}
