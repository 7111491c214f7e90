/**
 * Crop, horizontal flip and ToTensor in one pass: torchvision's RandomCrop/CenterCrop and
 * RandomHorizontalFlip move whole pixels, so doing them on the uint8 image before the /255 of
 * ToTensor gives exactly the tensor result.
 */
import type { FloatImage, RgbImage } from "./image.ts";

/**
 * Writes the `size`x`size` window at (top, left) of `src`, mirrored left-right when `flip`, into `out`
 * as [3, size, size] float32 in [0, 1] (ToTensor). Throws a RangeError when the window leaves the image.
 */
export function cropFlipToFloat(src: RgbImage, top: number, left: number, size: number, flip: boolean, out: Float32Array): FloatImage {
  if (top < 0 || left < 0 || top + size > src.height || left + size > src.width) {
    throw new RangeError(`crop: window ${size}x${size} at (top ${top}, left ${left}) leaves the ${src.width}x${src.height} image`);
  }
  if (out.length < 3 * size * size) throw new RangeError(`crop: output holds ${out.length} floats, needs ${3 * size * size}`);
  const plane = size * size;
  const d = src.data;
  const inv = 1 / 255;
  for (let y = 0; y < size; y++) {
    const row = ((top + y) * src.width + left) * 3;
    const o = y * size;
    for (let x = 0; x < size; x++) {
      const s = row + 3 * (flip ? size - 1 - x : x);
      out[o + x] = d[s] * inv;
      out[plane + o + x] = d[s + 1] * inv;
      out[2 * plane + o + x] = d[s + 2] * inv;
    }
  }
  return { data: out, width: size, height: size };
}

/** Top-left corner of torchvision's CenterCrop: round((H - size) / 2), round((W - size) / 2). */
export function centreCropOffset(height: number, width: number, size: number): { top: number; left: number } {
  // Python's round() is half-to-even; (H - size) / 2 is a half only for odd differences.
  const r = (v: number) => {
    const f = Math.floor(v);
    const diff = v - f;
    if (diff !== 0.5) return Math.round(v);
    return f % 2 === 0 ? f : f + 1;
  };
  return { top: r((height - size) / 2), left: r((width - size) / 2) };
}
