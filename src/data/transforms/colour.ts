/**
 * Colour operations with torchvision 0.14's *tensor* semantics (`transforms/functional_tensor.py`) on
 * float images in [0, 1], in place: each result is clamped to [0, 1] as `_blend` does.
 *
 * Where this differs from the reference: the reference applied ColorJitter and RandomGrayscale to PIL
 * images, where PIL's ImageEnhance rounds to uint8 after every step, contrast uses the integer-rounded
 * mean of the 'L' image, hue is shifted in 8-bit HSV, and grayscale uses PIL's integer ITU-R 601-2
 * weights. We keep full float precision between steps (the torchvision tensor path): differences
 * are at most a few 1/255 steps and carry no method meaning.
 */
import type { FloatImage } from "./image.ts";

/** torchvision's rgb_to_grayscale weights. */
const GR = 0.2989;
const GG = 0.587;
const GB = 0.114;

/** adjust_brightness: blend with black, x * f, clamped. */
export function adjustBrightness(img: FloatImage, factor: number): void {
  const d = img.data;
  const n = 3 * img.width * img.height;
  for (let i = 0; i < n; i++) d[i] = clamp01(factor * d[i]);
}

/** adjust_contrast: blend with the mean of the grayscale image (one scalar), clamped. */
export function adjustContrast(img: FloatImage, factor: number): void {
  const d = img.data;
  const p = img.width * img.height;
  let sum = 0;
  for (let i = 0; i < p; i++) sum += Math.fround(GR * d[i] + GG * d[p + i] + GB * d[2 * p + i]);
  const mean = Math.fround(sum / p);
  const add = (1 - factor) * mean;
  for (let i = 0; i < 3 * p; i++) d[i] = clamp01(factor * d[i] + add);
}

/** adjust_saturation: blend with the per-pixel grayscale, clamped. */
export function adjustSaturation(img: FloatImage, factor: number): void {
  const d = img.data;
  const p = img.width * img.height;
  const g1 = 1 - factor;
  for (let i = 0; i < p; i++) {
    const l = Math.fround(GR * d[i] + GG * d[p + i] + GB * d[2 * p + i]) * g1;
    d[i] = clamp01(factor * d[i] + l);
    d[p + i] = clamp01(factor * d[p + i] + l);
    d[2 * p + i] = clamp01(factor * d[2 * p + i] + l);
  }
}

/** rgb_to_grayscale with 3 output channels (RandomGrayscale on an RGB image). */
export function toGrayscale3(img: FloatImage): void {
  const d = img.data;
  const p = img.width * img.height;
  for (let i = 0; i < p; i++) {
    const l = GR * d[i] + GG * d[p + i] + GB * d[2 * p + i];
    d[i] = l;
    d[p + i] = l;
    d[2 * p + i] = l;
  }
}

/**
 * adjust_hue: RGB -> HSV (torchvision's _rgb2hsv), h = (h + factor) mod 1, HSV -> RGB (_hsv2rgb).
 * `factor` in [-0.5, 0.5].
 */
export function adjustHue(img: FloatImage, factor: number): void {
  if (!(factor >= -0.5 && factor <= 0.5)) throw new RangeError(`adjustHue: factor must be in [-0.5, 0.5], received ${factor}`);
  const d = img.data;
  const p = img.width * img.height;
  for (let i = 0; i < p; i++) {
    const r = d[i];
    const g = d[p + i];
    const b = d[2 * p + i];
    const maxc = r > g ? (r > b ? r : b) : g > b ? g : b;
    const minc = r < g ? (r < b ? r : b) : g < b ? g : b;
    const cr = maxc - minc;
    // torchvision: s = cr / maxc, hue from rc/gc/bc = (maxc - c) / cr; all zero for grey pixels.
    let sat = 0;
    let h = 0;
    if (cr !== 0) {
      sat = cr / maxc;
      // Exactly one of torchvision's three masked terms is non-zero; computed as it computes them.
      if (maxc === r) h = (maxc - b) / cr - (maxc - g) / cr;
      else if (maxc === g) h = 2 + (maxc - r) / cr - (maxc - b) / cr;
      else h = 4 + (maxc - g) / cr - (maxc - r) / cr;
    }
    const s = sat;
    h = Math.fround(h / 6) + 1;
    h = Math.fround(h - Math.trunc(h)); // fmod(h, 1), h >= 0 here
    h = Math.fround(h + factor);
    h = h - Math.floor(h); // Python-style mod 1
    // _hsv2rgb
    const v = maxc;
    const h6 = Math.fround(h * 6);
    const fi = Math.floor(h6);
    const f = h6 - fi;
    const sector = fi >= 6 ? fi - 6 : fi;
    const pp = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * f));
    const t = clamp01(v * (1 - s * (1 - f)));
    let R: number, G: number, B: number;
    switch (sector) {
      case 0: R = v; G = t; B = pp; break;
      case 1: R = q; G = v; B = pp; break;
      case 2: R = pp; G = v; B = t; break;
      case 3: R = pp; G = q; B = v; break;
      case 4: R = t; G = pp; B = v; break;
      default: R = v; G = pp; B = q; break;
    }
    d[i] = R;
    d[p + i] = G;
    d[2 * p + i] = B;
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
