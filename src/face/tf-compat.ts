/**
 * TensorFlow semantics on our (PyTorch-style) engine, for networks ported from tfjs:
 * weight layouts (HWIO -> OIHW), "same" padding (TF pads the extra pixel after, not before), and
 * tf.image.resizeBilinear with alignCorners=false, halfPixelCenters=false (the legacy sampling
 * src = dst * in/out that face-api's input pipeline uses).
 */
import { conv2d, fromArray, gridSample, pad, type Tensor } from "../tensor/index.ts";
import type { TfWeight } from "./weights.ts";

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
 * conv2d with TF "same" padding: x [B,Cin,H,W], weight [Cout,Cin/groups,k,k]. Symmetric cases use
 * the conv's own padding; asymmetric ones (stride 2 on even sizes) pad explicitly first.
 */
export function conv2dSame(x: Tensor, weight: Tensor, bias: Tensor | null, stride: number, groups = 1): Tensor {
  const k = weight.shape[2];
  const [t, b] = samePadding(x.shape[2], k, stride);
  const [l, r] = samePadding(x.shape[3], k, stride);
  if (t === b && l === r) return conv2d(x, weight, bias, { stride, padding: [t, l], groups });
  const p = pad(x, [l, r, t, b]);
  const out = conv2d(p, weight, bias, { stride, groups });
  p.dispose();
  return out;
}

/**
 * tf.image.resizeBilinear(alignCorners=false, halfPixelCenters=false) of an image placed at
 * (offX, offY) inside a zero-filled square of side `square`, to out x out pixels, without building
 * the square: img [1,C,h,w] float32 -> [1,C,out,out]. A one-pixel zero border plus border-clamped
 * sampling reproduces TF exactly: zeros beyond the image, the last row/column clamped at the edge.
 */
export function legacyResizeInSquare(img: Tensor, square: number, offX: number, offY: number, out: number): Tensor {
  const [, , h, w] = img.shape;
  const padL = offX > 0 ? 1 : 0;
  const padT = offY > 0 ? 1 : 0;
  const padR = w + offX < square ? 1 : 0;
  const padB = h + offY < square ? 1 : 0;
  const src = padL + padT + padR + padB ? pad(img, [padL, padR, padT, padB]) : img;
  const wp = w + padL + padR;
  const hp = h + padT + padB;
  const scale = Math.fround(square / out);
  const gx = new Float32Array(out);
  const gy = new Float32Array(out);
  for (let j = 0; j < out; j++) {
    const s = Math.fround(j * scale);
    gx[j] = wp > 1 ? (2 * (s - offX + padL)) / (wp - 1) - 1 : 0;
    gy[j] = hp > 1 ? (2 * (s - offY + padT)) / (hp - 1) - 1 : 0;
  }
  const grid = new Float32Array(out * out * 2);
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < out; j++) {
      grid[2 * (i * out + j)] = gx[j];
      grid[2 * (i * out + j) + 1] = gy[i];
    }
  }
  const g = fromArray(grid, [1, out, out, 2]);
  const res = gridSample(src, g, "bilinear", "border", true);
  g.dispose();
  if (src !== img) src.dispose();
  return res;
}
