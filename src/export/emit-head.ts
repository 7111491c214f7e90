/**
 * The AU heads (src/models/heads) as ONNX: LinearBlock with its batch norm folded into the linear
 * layer (eval mode: per output channel affine), the N per-AU LinearBlocks as ONE MatMul [C, N*C]
 * (then ReLU and the token mean, reshaped to nodes [B, N, C]), the top-K graph layer (TopK, the K-th
 * value, GreaterOrEqual so ties are kept as the reference's `>=`), and the AUNCE (L2-normalised
 * embeddings [B, C, N]) or ME-GraphAU (cosine with ReLU(sc), constant-folded) outputs.
 */
import type { AuModel as GraphNetwork } from "../models/au-model.ts";
import type { AuGraphHead } from "../models/heads/au-graph-head.ts";
import type { GraphLayer } from "../models/heads/graph.ts";
import type { LinearBlock } from "../models/heads/linear-block.ts";
import { bnAffine, emitBatchNorm, emitL2Normalize, emitLinear, emitMatMulAdd } from "./emit-layers.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

/** LinearBlock (eval): relu(BN(fc(x))) token-wise, x [B, L, Cin] -> [B, L, Cout]. */
export function emitLinearBlock(g: GraphBuilder, x: string, blk: LinearBlock, prefix: string): string {
  return g.node("Relu", [emitLinear(g, x, blk.fc, `${prefix}.fc`, blk.bn)]);
}

/** The N class_linears over tokens x [B, L, C] -> mean over tokens, stacked: nodes [B, N, C]. */
function emitClassLinears(g: GraphBuilder, x: string, head: AuGraphHead, prefix: string): string {
  const n = head.numAus, c = head.channels;
  const blocks = head.class_linears.items;
  const cin = blocks[0].fc.inFeatures;
  const w = new Float32Array(cin * n * c);
  const bias = new Float32Array(n * c);
  for (const [k, blk] of blocks.entries()) {
    const src = blk.fc.weight.data<"float32">(); // [c, cin]
    const b = blk.fc.bias?.data<"float32">();
    const { scale, shift } = bnAffine(blk.bn);
    for (let o = 0; o < c; o++) {
      for (let i = 0; i < cin; i++) w[i * n * c + k * c + o] = src[o * cin + i] * scale[o];
      bias[k * c + o] = (b ? b[o] : 0) * scale[o] + shift[o];
    }
  }
  const y = g.node("Relu", [emitMatMulAdd(g, x, w, [cin, n * c], bias, `${prefix}.class_linears`)]);
  const pooled = g.node("ReduceMean", [y, g.ints([1])], { keepdims: 0 }); // [B, N*C]
  return g.node("Reshape", [pooled, g.ints([-1, n, c])]);
}

/** GraphLayer: x [B, N, C] -> ReLU(x + BN_N(A V(x) + U(x))) with A the normalised top-K adjacency. */
export function emitGraphLayer(g: GraphBuilder, x: string, gnn: GraphLayer, prefix: string): string {
  const k = gnn.neighbours;
  const s = g.node("MatMul", [x, g.node("Transpose", [x], { perm: [0, 2, 1] })]); // [B, N, N]
  const [vals] = g.nodeN("TopK", [s, g.ints([k])], { axis: -1, largest: 1, sorted: 1 }, 2);
  const kth = g.node("Slice", [vals, g.ints([k - 1]), g.ints([k]), g.ints([2])]);
  const adj = g.node("Cast", [g.node("GreaterOrEqual", [s, kth])], { to: 1 /* FLOAT */ });
  const d = g.node("Pow", [g.node("ReduceSum", [adj, g.ints([-1])], { keepdims: 0 }), g.floats([-0.5], [])]); // [B, N]
  const rows = g.node("Unsqueeze", [d, g.ints([2])]);
  const cols = g.node("Unsqueeze", [d, g.ints([1])]);
  const a = g.node("Mul", [g.node("Mul", [adj, rows]), cols]);
  const mixed = g.node("Add", [g.node("MatMul", [a, emitLinear(g, x, gnn.V, `${prefix}.V`)]), emitLinear(g, x, gnn.U, `${prefix}.U`)]);
  return g.node("Relu", [g.node("Add", [x, emitBatchNorm(g, mixed, gnn.bnv, `${prefix}.bnv`)])]);
}

/**
 * AuGraphHead over tokens [B, L, C] -> "embeddings" [B, C, N] (unit norm) or "scores" [B, N]
 * (cosine with the normalised ReLU(sc) centres, computed here once).
 */
export function emitAuGraphHead(g: GraphBuilder, x: string, head: AuGraphHead, prefix = "head"): string {
  const nodes = emitGraphLayer(g, emitClassLinears(g, x, head, prefix), head.gnn, `${prefix}.gnn`);
  const unit = emitL2Normalize(g, nodes, -1);
  if (head.output === "embeddings") return g.node("Transpose", [unit], { perm: [0, 2, 1] });
  const n = head.numAus, c = head.channels;
  const sc = head.sc.data<"float32">();
  const centres = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < c; j++) norm += Math.max(sc[i * c + j], 0) ** 2;
    const d = Math.max(Math.sqrt(norm), 1e-12);
    for (let j = 0; j < c; j++) centres[i * c + j] = Math.max(sc[i * c + j], 0) / d;
  }
  const prod = g.node("Mul", [unit, g.weight(`${prefix}.centres`, { data: centres, shape: [n, c] })]);
  return g.node("ReduceSum", [prod, g.ints([-1])], { keepdims: 0 });
}

/** The whole AU network (src/models/au-model.ts) from backbone tokens [B, L, Cb]. */
export function emitFromTokens(g: GraphBuilder, tokens: string, net: GraphNetwork): string {
  return emitAuGraphHead(g, emitLinearBlock(g, tokens, net.global_linear, "global_linear"), net.head);
}
