/**
 * ONNX node emitters for the layers in src/nn (inference mode): Conv2d (with a following eval-mode
 * BatchNorm2d folded into its weights, as FrozenResNet does), Linear (MatMul + Add on any rank, with
 * an optional batch norm over its output channels folded in), BatchNorm over dim 1, LayerNorm,
 * L2 normalisation. Values are tensor names in a GraphBuilder.
 */
import type { BatchNorm1d, BatchNorm2d, Conv2d, LayerNorm, Linear } from "../nn/index.ts";
import type { Tensor } from "../tensor/index.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

type Bn = BatchNorm1d | BatchNorm2d;

/** A tensor's values as a float32 copy. */
export function values(t: Tensor): Float32Array {
  return Float32Array.from(t.data<"float32">());
}

/** Eval-mode batch norm as y = x * scale + shift per channel (running statistics; no affine = 1, 0). */
export function bnAffine(bn: Bn): { scale: Float32Array; shift: Float32Array } {
  const c = bn.numFeatures;
  if (!bn.running_mean || !bn.running_var) throw new Error("export: a batch norm without running statistics uses batch statistics at inference; it cannot be exported");
  const mean = bn.running_mean.data<"float32">(), v = bn.running_var.data<"float32">();
  const g = bn.weight ? bn.weight.data<"float32">() : new Float32Array(c).fill(1);
  const b = bn.bias ? bn.bias.data<"float32">() : new Float32Array(c);
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = g[i] / Math.sqrt(v[i] + bn.eps);
    shift[i] = b[i] - mean[i] * scale[i];
  }
  return { scale, shift };
}

/** Conv2d (+ an eval BatchNorm2d folded in) -> Conv node. */
export function emitConv(g: GraphBuilder, x: string, conv: Conv2d, bn: BatchNorm2d | null, prefix: string): string {
  const w = values(conv.weight);
  const [cout, cinG, kh, kw] = conv.weight.shape;
  const bias = conv.bias ? values(conv.bias) : new Float32Array(cout);
  if (bn) {
    const { scale, shift } = bnAffine(bn);
    const per = cinG * kh * kw;
    for (let o = 0; o < cout; o++) {
      for (let j = 0; j < per; j++) w[o * per + j] *= scale[o];
      bias[o] = bias[o] * scale[o] + shift[o];
    }
  }
  const [ph, pw] = conv.padding;
  return emitRawConv(g, x, { weight: w, shape: [cout, cinG, kh, kw], bias: conv.bias || bn ? bias : null }, {
    strides: [...conv.stride],
    pads: [ph, pw, ph, pw],
    dilations: [...conv.dilation],
    group: conv.groups,
  }, prefix);
}

/** A Conv node from raw weights [Cout, Cin/groups, kh, kw]; pads as ONNX orders them [t, l, b, r]. */
export function emitRawConv(
  g: GraphBuilder,
  x: string,
  p: { weight: Float32Array; shape: readonly number[]; bias: Float32Array | null },
  attrs: { strides: number[]; pads: number[]; dilations?: number[]; group?: number },
  prefix: string,
): string {
  const inputs = [x, g.weight(`${prefix}.weight`, { data: p.weight, shape: p.shape })];
  if (p.bias) inputs.push(g.weight(`${prefix}.bias`, { data: p.bias, shape: [p.shape[0]] }));
  return g.node("Conv", inputs, {
    kernel_shape: [p.shape[2], p.shape[3]],
    strides: attrs.strides,
    pads: attrs.pads,
    dilations: attrs.dilations ?? [1, 1],
    group: attrs.group ?? 1,
  });
}

/**
 * Linear on the last dim of x [..., in] -> [..., out], optionally followed by an eval batch norm
 * over the output channels (LinearBlock's BN, which sees [B, C, L]: per output feature), folded in.
 */
export function emitLinear(g: GraphBuilder, x: string, lin: Linear, prefix: string, bn: Bn | null = null): string {
  const [out, inp] = lin.weight.shape;
  const w = lin.weight.data<"float32">();
  const wt = new Float32Array(inp * out); // [in, out] for MatMul
  const bias = lin.bias ? values(lin.bias) : new Float32Array(out);
  const aff = bn ? bnAffine(bn) : null;
  for (let o = 0; o < out; o++) {
    const s = aff ? aff.scale[o] : 1;
    for (let i = 0; i < inp; i++) wt[i * out + o] = w[o * inp + i] * s;
    if (aff) bias[o] = bias[o] * s + aff.shift[o];
  }
  return emitMatMulAdd(g, x, wt, [inp, out], lin.bias || bn ? bias : null, prefix);
}

/** x @ W [in, out] (+ bias [out]). */
export function emitMatMulAdd(g: GraphBuilder, x: string, w: Float32Array, shape: [number, number], bias: Float32Array | null, prefix: string): string {
  const y = g.node("MatMul", [x, g.weight(`${prefix}.weight`, { data: w, shape })]);
  return bias ? g.node("Add", [y, g.weight(`${prefix}.bias`, { data: bias, shape: [shape[1]] })]) : y;
}

/** Eval batch norm over dim 1 of x [B, C, ...] -> BatchNormalization node. */
export function emitBatchNorm(g: GraphBuilder, x: string, bn: Bn, prefix: string): string {
  const { scale, shift } = bnAffine(bn);
  const c = bn.numFeatures;
  return g.node("BatchNormalization", [
    x,
    g.weight(`${prefix}.scale`, { data: scale, shape: [c] }),
    g.weight(`${prefix}.shift`, { data: shift, shape: [c] }),
    g.floats(new Array<number>(c).fill(0)),
    g.floats(new Array<number>(c).fill(1)),
  ], { epsilon: { float: 0 } });
}

/** LayerNorm over the last dim(s) -> LayerNormalization node. */
export function emitLayerNorm(g: GraphBuilder, x: string, ln: LayerNorm, prefix: string): string {
  const n = ln.normalizedShape.reduce((a, b) => a * b, 1);
  const w = ln.weight ? values(ln.weight) : new Float32Array(n).fill(1);
  const b = ln.bias ? values(ln.bias) : new Float32Array(n);
  return g.node("LayerNormalization", [
    x,
    g.weight(`${prefix}.weight`, { data: w, shape: [...ln.normalizedShape] }),
    g.weight(`${prefix}.bias`, { data: b, shape: [...ln.normalizedShape] }),
  ], { axis: -ln.normalizedShape.length, epsilon: { float: ln.eps } });
}

/** F.normalize(x, 2, axis, eps 1e-12): x / max(||x||_2, eps). */
export function emitL2Normalize(g: GraphBuilder, x: string, axis: number): string {
  const n = g.node("ReduceL2", [x, g.ints([axis])], { keepdims: 1 });
  return g.node("Div", [x, g.node("Max", [n, g.floats([1e-12], [])])]);
}
