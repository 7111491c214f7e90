/**
 * TensorFlow semantics on our (PyTorch-style) engine, for networks ported from tfjs:
 * weight layouts (HWIO -> OIHW), "same" padding (TF pads the extra pixel after, not before), and
 * tf.image.resizeBilinear with alignCorners=false, halfPixelCenters=false (the legacy sampling
 * src = dst * in/out that face-api's input pipeline uses).
 */
import { FrozenConv2d, type FrozenLayout } from "../nn/index.ts";
import { fromArray, keep, noGrad, pad, type Tensor } from "../tensor/index.ts";
import { convWeight, depthwiseWeight, samePadding } from "../models/backbones/tf-layers.ts";

export { convWeight, depthwiseWeight, samePadding };

/**
 * A frozen inference conv with TF "same" padding, for activations in a FrozenLayout. TF pads
 * (p, p + 1) where the total is odd (stride 2 on even sizes); PyTorch pads symmetrically. Rather
 * than an explicit pad pass per call, the kernel is extended by a zero row/column in front and
 * padded (p + 1, p + 1): the same sums, the same output size, no extra copy of the activations.
 * One prepared kernel per padding variant met (input sizes are fixed in practice: one or two).
 */
export class TfSameConv2d {
  private readonly variants = new Map<string, FrozenConv2d>();
  private readonly weight: Tensor;
  private readonly bias: Tensor | null;
  private disposed = false;

  /**
   * weight [Cout,Cin/groups,k,k] (engine layout, e.g. from convWeight), bias [Cout]: taken over.
   * `inputSize` (the square input this layer sees in its net) prepares that variant now.
   */
  constructor(weight: Tensor, bias: Tensor | null, readonly stride: number, readonly groups: number, readonly layout: FrozenLayout, inputSize?: number) {
    this.weight = keep(weight);
    this.bias = bias ? keep(bias) : null;
    if (inputSize !== undefined) this.variant(inputSize, inputSize);
  }

  /** Output side for a square input side (TF "same": ceil(size / stride)). */
  outputSize(size: number): number {
    return Math.ceil(size / this.stride);
  }

  get outChannels(): number {
    return this.weight.shape[0];
  }

  private variant(h: number, w: number): FrozenConv2d {
    const k = this.weight.shape[2];
    const [t, b] = samePadding(h, k, this.stride);
    const [l, r] = samePadding(w, k, this.stride);
    const key = `${t},${b},${l},${r}`;
    let conv = this.variants.get(key);
    if (!conv) {
      const extH = b - t, extW = r - l; // 0 or 1: the odd pixel TF puts after
      conv = noGrad(() => {
        const kernel = extH || extW ? pad(this.weight, [extW, 0, extH, 0]) : this.weight.alias();
        try {
          return new FrozenConv2d(kernel, this.bias, { stride: this.stride, padding: [b, r], groups: this.groups }, this.layout);
        } finally {
          kernel.dispose();
        }
      });
      this.variants.set(key, conv);
    }
    return conv;
  }

  /** x [B,Cin,H,W] in this conv's layout -> [B,Cout,ceil(H/s),ceil(W/s)], same layout. */
  forward(x: Tensor): Tensor {
    if (this.disposed) throw new Error("TfSameConv2d: used after dispose()");
    return this.variant(x.shape[2], x.shape[3]).forward(x);
  }

  dispose(): void {
    if (this.disposed) return;
    for (const c of this.variants.values()) c.dispose();
    this.weight.dispose();
    this.bias?.dispose();
    this.disposed = true;
  }
}

/**
 * tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false) of an image placed at
 * (offX, offY) inside a zero-filled square of side `square`, to out x out pixels, without building
 * the square: img [1,C,h,w] float32 -> [1,C,out,out]. TF samples source s = fround(dst * square /
 * out), blends columns x0 = floor(s) and min(x0 + 1, square - 1) by s - x0, then rows the same way
 * (top + (bottom - top) * f, in that order). Square pixels outside the image are zeros: a one-pixel
 * zero border is added on the sides where the square extends beyond the image and those indices
 * point at it. Separable gathers in TF's own blend order (about as fast as the grid_sample it
 * replaced, ~7 ms at 640x480 -> 512 on 2 threads, and no sampling grid built in JS per call).
 */
export function legacyResizeInSquare(img: Tensor, square: number, offX: number, offY: number, out: number): Tensor {
  const [, , h, w] = img.shape;
  const padL = offX > 0 ? 1 : 0;
  const padT = offY > 0 ? 1 : 0;
  const padR = w + offX < square ? 1 : 0;
  const padB = h + offY < square ? 1 : 0;
  const scale = Math.fround(square / out);
  /** Source indices (into the padded image) and blend weights along one axis. */
  const axis = (off: number, before: number, padded: number) => {
    const i0 = new Int32Array(out), i1 = new Int32Array(out), f = new Float32Array(out);
    const toPadded = (c: number) => Math.min(Math.max(c - off + before, 0), padded - 1);
    for (let j = 0; j < out; j++) {
      const s = Math.fround(j * scale);
      const c0 = Math.floor(s);
      i0[j] = toPadded(c0);
      i1[j] = toPadded(Math.min(c0 + 1, square - 1));
      f[j] = s - c0;
    }
    return { i0: fromArray(i0, [out]), i1: fromArray(i1, [out]), f };
  };
  return noGrad(() => {
    const src = padL + padT + padR + padB ? pad(img, [padL, padR, padT, padB]) : img.alias();
    const x = axis(offX, padL, w + padL + padR);
    const y = axis(offY, padT, h + padT + padB);
    const fx = fromArray(x.f, [1, 1, 1, out]);
    const fy = fromArray(y.f, [1, 1, out, 1]);
    // Columns: left + (right - left) * fx on [1,C,hp,out]; then rows on [1,C,out,out].
    const left = src.indexSelect(3, x.i0);
    const cols = src.indexSelect(3, x.i1).sub_(left).mul_(fx).add_(left);
    const top = cols.indexSelect(2, y.i0);
    const res = cols.indexSelect(2, y.i1).sub_(top).mul_(fy).add_(top);
    for (const t of [src, x.i0, x.i1, y.i0, y.i1, fx, fy, left, cols, top]) t.dispose();
    return res;
  });
}
