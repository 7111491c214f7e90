/**
 * GaussianBlur with torchvision 0.14 tensor semantics: a 1-D kernel on linspace(-(k-1)/2, (k-1)/2),
 * pdf exp(-x²/2σ²) normalised to sum 1, its outer product as the 2-D kernel, reflect padding of
 * (k-1)/2 (edge pixel not repeated), depthwise convolution.
 */
import type { FloatImage } from "./image.ts";

/** The normalised 1-D Gaussian kernel of odd `size` and `sigma` (float32 values, as torchvision's). */
export function gaussianKernel1d(size: number, sigma: number): Float32Array {
  if (size % 2 !== 1 || size < 1) throw new RangeError(`gaussianKernel1d: size must be odd and positive, received ${size}`);
  if (!(sigma > 0)) throw new RangeError(`gaussianKernel1d: sigma must be > 0, received ${sigma}`);
  const half = (size - 1) / 2;
  const pdf = new Float32Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = Math.fround(-half + i) / sigma;
    pdf[i] = Math.exp(-0.5 * x * x);
    sum += pdf[i];
  }
  for (let i = 0; i < size; i++) pdf[i] = pdf[i] / Math.fround(sum);
  return pdf;
}

/**
 * Blurs `img` in place with a `size`x`size` Gaussian of `sigma` (torchvision GaussianBlur on a tensor);
 * `scratch` (>= (H+size-1)*(W+size-1) floats) avoids an allocation per call.
 */
export function gaussianBlur(img: FloatImage, sigma: number, size = 3, scratch?: Float32Array): void {
  const { width: w, height: h, data } = img;
  const half = (size - 1) / 2;
  if (w <= half || h <= half) throw new RangeError(`gaussianBlur: image ${w}x${h} too small for reflect padding ${half}`);
  const k1 = gaussianKernel1d(size, sigma);
  // The 2-D kernel as torchvision builds it: outer product of the float32 1-D kernel.
  const k2 = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) k2[i * size + j] = Math.fround(k1[i] * k1[j]);
  const pw = w + 2 * half;
  const ph = h + 2 * half;
  const pad = scratch && scratch.length >= pw * ph ? scratch : new Float32Array(pw * ph);
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const plane = w * h;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    // Reflect-pad one channel into `pad`, then convolve from it straight into `data`.
    for (let y = 0; y < ph; y++) {
      const sy = base + refl(y - half, h) * w;
      const row = y * pw;
      for (let x = 0; x < half; x++) pad[row + x] = data[sy + refl(x - half, w)];
      pad.set(data.subarray(sy, sy + w), row + half);
      for (let x = w + half; x < pw; x++) pad[row + x] = data[sy + refl(x - half, w)];
    }
    if (size === 3) blur3(pad, pw, data, base, w, h, k2);
    else {
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let acc = 0;
          for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) acc += k2[i * size + j] * pad[(y + i) * pw + x + j];
          data[base + y * w + x] = acc;
        }
    }
  }
}

/** The 3x3 case unrolled (the only size the recipe uses). */
function blur3(pad: Float32Array, pw: number, out: Float32Array, base: number, w: number, h: number, k: Float64Array): void {
  const k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8];
  for (let y = 0; y < h; y++) {
    let r0 = y * pw;
    let r1 = r0 + pw;
    let r2 = r1 + pw;
    let o = base + y * w;
    for (let x = 0; x < w; x++, r0++, r1++, r2++, o++) {
      out[o] =
        k0 * pad[r0] + k1 * pad[r0 + 1] + k2 * pad[r0 + 2] +
        k3 * pad[r1] + k4 * pad[r1 + 1] + k5 * pad[r1 + 2] +
        k6 * pad[r2] + k7 * pad[r2 + 1] + k8 * pad[r2 + 2];
    }
  }
}
