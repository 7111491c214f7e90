/**
 * Swin Transformer (src/models/backbones/swin.ts) as ONNX at a fixed input size (dynamic batch):
 * patch embedding, (shifted) window attention with the relative position bias gathered once here
 * and the persisted shift masks as constants, cyclic shifts as Slice + Concat, exact (erf) GELU
 * spelled out (Gelu is opset 20), patch merging, the final LayerNorm. Sizes that need the padding
 * paths (a map not a multiple of the window) are refused with the sizes that work.
 */
import { SwinTransformer } from "../models/backbones/swin.ts";
import type { Linear } from "../nn/index.ts";
import { emitConv, emitLayerNorm, emitLinear } from "./emit-layers.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

type Layer = SwinTransformer["layers"]["items"][number];
type Block = Layer["blocks"]["items"][number];

/** True when `m` is a Swin backbone (the AU exporter's dispatch). */
export function isSwin(m: unknown): m is SwinTransformer {
  return m instanceof SwinTransformer;
}

/** torch.roll(x, shift, axis) on a static axis of length n: Concat of two Slices. */
function emitRoll(g: GraphBuilder, x: string, shift: number, axis: number, n: number): string {
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const tail = g.node("Slice", [x, g.ints([n - s]), g.ints([n]), g.ints([axis])]);
  const head = g.node("Slice", [x, g.ints([0]), g.ints([n - s]), g.ints([axis])]);
  return g.node("Concat", [tail, head], { axis });
}

/** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
function emitGelu(g: GraphBuilder, x: string): string {
  const e = g.node("Erf", [g.node("Mul", [x, g.floats([Math.SQRT1_2], [])])]);
  return g.node("Mul", [g.node("Mul", [x, g.floats([0.5], [])]), g.node("Add", [e, g.floats([1], [])])]);
}

function linear(g: GraphBuilder, x: string, l: Linear, p: string): string {
  return emitLinear(g, x, l, p);
}

/** Window attention on windows [B*nW, n, c] with mask [nW, n, n] (or none). */
function emitAttention(g: GraphBuilder, x: string, blk: Block, n: number, c: number, p: string): string {
  const a = blk.attn;
  const h = a.numHeads, d = c / h;
  const qkv = g.node("Transpose", [g.node("Reshape", [linear(g, x, a.qkv, `${p}.qkv`), g.ints([-1, n, 3, h, d])])], { perm: [2, 0, 3, 1, 4] });
  const [q, k, v] = g.nodeN("Split", [qkv, g.ints([1, 1, 1])], { axis: 0 }, 3).map((t) => g.node("Squeeze", [t, g.ints([0])]));
  let attn = g.node("MatMul", [g.node("Mul", [q, g.floats([a.scale], [])]), g.node("Transpose", [k], { perm: [0, 1, 3, 2] })]);
  // Relative position bias [h, n, n] = table[index] permuted, computed once here.
  const table = a.relative_position_bias_table.data<"float32">();
  const index = a.relative_position_index.to("int64");
  const idx = index.data<"int64">();
  index.dispose();
  const bias = new Float32Array(h * n * n);
  for (let i = 0; i < n * n; i++) for (let j = 0; j < h; j++) bias[j * n * n + i] = table[Number(idx[i]) * h + j];
  attn = g.node("Add", [attn, g.weight(`${p}.rel_bias`, { data: bias, shape: [h, n, n] })]);
  if (blk.attn_mask) {
    const nw = blk.attn_mask.shape[0];
    const mask = g.weight(`${p}.mask`, { data: Float32Array.from(blk.attn_mask.data<"float32">()), shape: [nw, 1, n, n] });
    attn = g.node("Reshape", [g.node("Add", [g.node("Reshape", [attn, g.ints([-1, nw, h, n, n])]), mask]), g.ints([-1, h, n, n])]);
  }
  const out = g.node("MatMul", [g.node("Softmax", [attn], { axis: -1 }), v]);
  const merged = g.node("Reshape", [g.node("Transpose", [out], { perm: [0, 2, 1, 3] }), g.ints([-1, n, c])]);
  return linear(g, merged, a.proj, `${p}.proj`);
}

/** One block on tokens [B, h*w, c]. */
function emitBlock(g: GraphBuilder, x: string, blk: Block, hh: number, ww: number, c: number, p: string): string {
  const ws = blk.windowSize, s = blk.shiftSize;
  if (hh % ws || ww % ws) throw new Error(`export: Swin map ${hh}x${ww} is not a multiple of the window ${ws}; export at the backbone's build size`);
  if (s > 0 && hh !== blk.resolution) throw new Error(`export: Swin shifted-window masks are for a ${blk.resolution}x${blk.resolution} map, the export input gives ${hh}x${ww}; export at the backbone's build size`);
  let y = g.node("Reshape", [emitLayerNorm(g, x, blk.norm1, `${p}.norm1`), g.ints([-1, hh, ww, c])]);
  if (s > 0) y = emitRoll(g, emitRoll(g, y, -s, 1, hh), -s, 2, ww);
  const windows = g.node("Reshape", [
    g.node("Transpose", [g.node("Reshape", [y, g.ints([-1, hh / ws, ws, ww / ws, ws, c])])], { perm: [0, 1, 3, 2, 4, 5] }),
    g.ints([-1, ws * ws, c]),
  ]);
  const att = emitAttention(g, windows, blk, ws * ws, c, `${p}.attn`);
  let back = g.node("Reshape", [
    g.node("Transpose", [g.node("Reshape", [att, g.ints([-1, hh / ws, ww / ws, ws, ws, c])])], { perm: [0, 1, 3, 2, 4, 5] }),
    g.ints([-1, hh, ww, c]),
  ]);
  if (s > 0) back = emitRoll(g, emitRoll(g, back, s, 1, hh), s, 2, ww);
  const x1 = g.node("Add", [x, g.node("Reshape", [back, g.ints([-1, hh * ww, c])])]);
  const m = blk.mlp;
  const mlp = linear(g, emitGelu(g, linear(g, emitLayerNorm(g, x1, blk.norm2, `${p}.norm2`), m.fc1, `${p}.mlp.fc1`)), m.fc2, `${p}.mlp.fc2`);
  return g.node("Add", [x1, mlp]);
}

/** x [B, 3, size, size] -> tokens after the final LayerNorm [B, L, C], as forwardTokens. */
export function emitSwinTokens(g: GraphBuilder, x: string, net: SwinTransformer, size: number, prefix = "backbone"): string {
  const pe = net.patch_embed;
  if (size % pe.patchSize) throw new Error(`export: Swin input ${size} is not a multiple of the patch ${pe.patchSize}`);
  let hh = size / pe.patchSize, ww = hh;
  let c = pe.proj.outChannels;
  const conv = emitConv(g, x, pe.proj, null, `${prefix}.patch_embed.proj`);
  let t = emitLayerNorm(g, g.node("Transpose", [g.node("Reshape", [conv, g.ints([0, c, -1])])], { perm: [0, 2, 1] }), pe.norm, `${prefix}.patch_embed.norm`);
  for (const [li, layer] of net.layers.items.entries()) {
    for (const [bi, blk] of layer.blocks.items.entries()) t = emitBlock(g, t, blk, hh, ww, c, `${prefix}.layers.${li}.blocks.${bi}`);
    const ds = layer.downsample;
    if (ds) {
      if (hh % 2 || ww % 2) throw new Error(`export: Swin patch merging on an odd ${hh}x${ww} map needs padding; export at the backbone's build size`);
      const h2 = hh / 2, w2 = ww / 2;
      const cat = g.node("Reshape", [g.node("Transpose", [g.node("Reshape", [t, g.ints([-1, h2, 2, w2, 2, c])])], { perm: [0, 1, 3, 4, 2, 5] }), g.ints([-1, h2 * w2, 4 * c])]);
      t = linear(g, emitLayerNorm(g, cat, ds.norm, `${prefix}.layers.${li}.downsample.norm`), ds.reduction, `${prefix}.layers.${li}.downsample.reduction`);
      [hh, ww, c] = [h2, w2, 2 * c];
    }
  }
  return emitLayerNorm(g, t, net.norm, `${prefix}.norm`);
}
