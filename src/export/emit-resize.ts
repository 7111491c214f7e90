/**
 * Antialiased bilinear resize as two MatMuls with precomputed weight matrices, reproducing
 * `interpolate(x, size, "bilinear", alignCorners false, antialias true)` (PyTorch's separable
 * `_upsample_bilinear2d_aa`: a triangle filter stretched by the scale, weights normalised per
 * output pixel). onnxruntime's Resize(antialias=1) computes its window differently (measured:
 * 0.18 max difference on N(0,1) input, 224 -> 96), so the graph carries the exact weights instead.
 */
import type { GraphBuilder } from "./onnx-graph.ts";

/** Weights [out, in] of PyTorch's antialiased linear resize along one axis. */
export function aaLinearWeights(inSize: number, outSize: number): Float32Array {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const inv = scale >= 1 ? 1 / scale : 1;
  const w = new Float32Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const row = new Float64Array(hi - lo);
    let total = 0;
    for (let j = 0; j < row.length; j++) {
      row[j] = Math.max(0, 1 - Math.abs((j + lo - center + 0.5) * inv));
      total += row[j];
    }
    for (let j = 0; j < row.length; j++) w[i * inSize + lo + j] = total > 0 ? row[j] / total : 0;
  }
  return w;
}

/** x [B, C, inH, inW] -> [B, C, outH, outW] (antialiased bilinear, half-pixel centres). */
export function emitAntialiasResize(g: GraphBuilder, x: string, inSize: [number, number], outSize: [number, number]): string {
  const [ih, iw] = inSize, [oh, ow] = outSize;
  const ww = aaLinearWeights(iw, ow); // [ow, iw] -> transposed to [iw, ow]
  const wwT = new Float32Array(iw * ow);
  for (let o = 0; o < ow; o++) for (let i = 0; i < iw; i++) wwT[i * ow + o] = ww[o * iw + i];
  const cols = g.node("MatMul", [x, g.weight("resize.cols", { data: wwT, shape: [iw, ow] })]);
  return g.node("MatMul", [g.weight("resize.rows", { data: aaLinearWeights(ih, oh), shape: [oh, ih] }), cols]);
}
