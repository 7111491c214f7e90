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
 * `scratch` (>= 3*H*W floats) avoids an allocation per call.
 */
export function gaussianBlur(img: FloatImage, sigma: number, size = 3, scratch?: Float32Array): void {
  const { width: w, height: h, data } = img;
  const half = (size - 1) / 2;
  if (w <= half || h <= half) throw new RangeError(`gaussianBlur: image ${w}x${h} too small for reflect padding ${half}`);
  const k1 = gaussianKernel1d(size, sigma);
  const k2 = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) k2[i * size + j] = Math.fround(k1[i] * k1[j]);
  const src = scratch && scratch.length >= data.length ? scratch : new Float32Array(data.length);
  src.set(data.subarray(0, 3 * w * h));
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const plane = w * h;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    for (let y = 0; y < h; y++) {
      const interior = y >= half && y < h - half;
      for (let x = 0; x < w; x++) {
        let acc = 0;
        if (interior && x >= half && x < w - half) {
          for (let i = 0; i < size; i++) {
            const row = base + (y + i - half) * w + x - half;
            for (let j = 0; j < size; j++) acc += k2[i * size + j] * src[row + j];
          }
        } else {
          for (let i = 0; i < size; i++) {
            const row = base + refl(y + i - half, h) * w;
            for (let j = 0; j < size; j++) acc += k2[i * size + j] * src[row + refl(x + j - half, w)];
          }
        }
        data[base + y * w + x] = acc;
      }
    }
  }
}
