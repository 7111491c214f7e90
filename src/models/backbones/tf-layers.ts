/**
 * TensorFlow conventions for trainable networks ported from tfjs (the face-api backbones): weight
 * layouts (HWIO -> OIHW) and "same" padding, where TF pads the odd pixel after (bottom/right) and
 * PyTorch would pad symmetrically. The frozen inference ports in src/face use the same helpers.
 */
import { conv2d, fromArray, pad, type Tensor } from "../../tensor/index.ts";
import { Conv2d } from "../../nn/index.ts";
import type { TfWeight } from "../checkpoint/tfjs.ts";

/** A TF conv kernel [kh,kw,cin,cout] as an engine weight [cout,cin,kh,kw] float32. */
export function convWeight(w: TfWeight): Tensor {
  if (w.shape.length !== 4) throw new RangeError(`convWeight: expected a 4-d HWIO kernel, got [${w.shape}]`);
  const t = fromArray(w.data, w.shape);
  const p = t.permute([3, 2, 0, 1]);
  const c = p.contiguous();
  t.dispose();
  p.dispose();
  return c;
}

/** A TF depthwise kernel [kh,kw,c,1] as a grouped-conv weight [c,1,kh,kw] float32. */
export function depthwiseWeight(w: TfWeight): Tensor {
  if (w.shape.length !== 4 || w.shape[3] !== 1) throw new RangeError(`depthwiseWeight: expected [kh,kw,c,1], got [${w.shape}]`);
  const t = fromArray(w.data, w.shape);
  const p = t.permute([2, 3, 0, 1]);
  const c = p.contiguous();
  t.dispose();
  p.dispose();
  return c;
}

/** TF "same" padding for one dim: [before, after] (the odd pixel goes after). */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * A trainable Conv2d with TF "same" padding (output ceil(size / stride)): symmetric padding goes
 * to the conv itself, an odd total is padded explicitly first (the extra pixel after). Parameter
 * names as Conv2d's (`weight`, `bias`).
 */
export class SameConv2d extends Conv2d {
  readonly kernel: number;

  constructor(inChannels: number, outChannels: number, kernel: number, cfg: { stride?: number; groups?: number; bias?: boolean } = {}) {
    super(inChannels, outChannels, kernel, { stride: cfg.stride ?? 1, groups: cfg.groups ?? 1, bias: cfg.bias ?? true });
    this.kernel = kernel;
  }

  /** [top, bottom, left, right] TF pads for an input of h x w. */
  pads(h: number, w: number): [number, number, number, number] {
    const [t, b] = samePadding(h, this.kernel, this.stride[0]);
    const [l, r] = samePadding(w, this.kernel, this.stride[1]);
    return [t, b, l, r];
  }

  override forward(x: Tensor): Tensor {
    const [t, b, l, r] = this.pads(x.shape[2], x.shape[3]);
    const o = { stride: this.stride, groups: this.groups };
    if (t === b && l === r) return conv2d(x, this.weight, this.bias, { ...o, padding: [t, l] });
    const padded = pad(x, [l, r, t, b]);
    const y = conv2d(padded, this.weight, this.bias, { ...o, padding: [0, 0] });
    padded.dispose();
    return y;
  }
}
