/**
 * Emitters for the networks ported from tfjs (src/face: face-api's SSD and 68-point net): TF
 * kernel layouts to ONNX's, and TF "same" padding as explicit (possibly asymmetric) Conv pads.
 */
import { samePadding } from "../face/tf-compat.ts";
import type { TfWeight } from "../face/weights.ts";
import { emitRawConv } from "./emit-layers.ts";
import type { GraphBuilder } from "./onnx-graph.ts";

/** A TF kernel [kh,kw,cin,cout] -> [cout,cin,kh,kw]; depthwise [kh,kw,c,1] -> [c,1,kh,kw]. */
export function tfKernel(w: TfWeight, depthwise: boolean): { data: Float32Array; shape: number[] } {
  if (w.shape.length !== 4 || (depthwise && w.shape[3] !== 1)) throw new RangeError(`tfKernel: expected ${depthwise ? "[kh,kw,c,1]" : "[kh,kw,cin,cout]"}, got [${w.shape}]`);
  const [kh, kw, a, b] = w.shape;
  const [cout, cin] = depthwise ? [a, 1] : [b, a];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < a; i++) {
        for (let o = 0; o < b; o++) {
          const [co, ci] = depthwise ? [i, 0] : [o, i];
          out[((co * cin + ci) * kh + y) * kw + x] = w.data[((y * kw + x) * a + i) * b + o];
        }
      }
    }
  }
  return { data: out, shape: [cout, cin, kh, kw] };
}

/**
 * A TF "same" conv on a square `size` x `size` input: kernel [Cout, Cin/groups, k, k] (ONNX
 * layout; [C, 1, k, k] and one group per channel when `depthwise`). Returns the output value and its side ceil(size / stride).
 */
export function emitTfSameConv(
  g: GraphBuilder,
  x: string,
  k: { data: Float32Array; shape: number[] },
  bias: Float32Array | null,
  stride: number,
  size: number,
  prefix: string,
  depthwise = false,
): [string, number] {
  const [t, b] = samePadding(size, k.shape[2], stride);
  const [l, r] = samePadding(size, k.shape[3], stride);
  const y = emitRawConv(g, x, { weight: k.data, shape: k.shape, bias }, { strides: [stride, stride], pads: [t, l, b, r], group: depthwise ? k.shape[0] : 1 }, prefix);
  return [y, Math.ceil(size / stride)];
}
