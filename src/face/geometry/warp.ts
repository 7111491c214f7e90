/**
 * The alignment warp on plain typed arrays, for runtimes without libtorch (the browser build): the
 * same sampling as `warpFaces` in ../align.ts (libtorch's affine_grid + grid_sample, bilinear,
 * zeros outside the image, align_corners=false), so a crop made here matches the Node pipeline's
 * to float32 rounding. Pure: no engine, no DOM.
 */

/** A 2x3 affine matrix, row-major [a, b, tx, c, d, ty]: (x, y) -> (a x + b y + tx, c x + d y + ty). */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** 8-bit interleaved pixels: RGB (3 channels, as RgbImage) or RGBA (4, as the DOM's ImageData). */
export interface PixelImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Per-channel normalisation applied after scaling to 0..1: (v / 255 - mean[c]) / std[c]. */
export interface ChannelNorm {
  mean: readonly [number, number, number] | readonly number[];
  std: readonly [number, number, number] | readonly number[];
}

/**
 * Samples `out` x `out` crops from `img`, one per entry of `cropToImage` (each maps crop pixels of
 * the template frame to image pixels: the inverse of the alignment), taking the window that starts
 * at (offset, offset) of the template frame (offset 16, out 224: the centre crop of a 256 template).
 * Pixel centres sit at integers on both sides. Returns [B,3,out,out] float32 (CHW per face): values
 * in 0..1, or normalised with `norm`.
 */
export function warpToChw(img: PixelImage, cropToImage: readonly AffineMatrix[], out: number, offset = 0, norm?: ChannelNorm): Float32Array {
  const { width: W, height: H, data } = img;
  const ch = data.length / (W * H);
  if (ch !== 3 && ch !== 4) throw new RangeError(`warpToChw: expected RGB or RGBA pixels (data.length = width*height*3 or *4), got ${data.length} for ${W}x${H}`);
  if (!Number.isInteger(out) || out < 1) throw new RangeError(`warpToChw: out must be a whole number >= 1, got ${out}`);
  const plane = out * out;
  const res = new Float32Array(cropToImage.length * 3 * plane);
  const scale = [0, 1, 2].map((c) => (norm ? 1 / (255 * norm.std[c]) : 1 / 255));
  const shift = [0, 1, 2].map((c) => (norm ? norm.mean[c] / norm.std[c] : 0));
  const acc = [0, 0, 0];
  cropToImage.forEach((m, b) => {
    const base = b * 3 * plane;
    for (let i = 0; i < out; i++) {
      const v = i + offset;
      for (let j = 0; j < out; j++) {
        const u = j + offset;
        const px = m[0] * u + m[1] * v + m[2];
        const py = m[3] * u + m[4] * v + m[5];
        const x0 = Math.floor(px), y0 = Math.floor(py);
        const fx = px - x0, fy = py - y0;
        acc[0] = acc[1] = acc[2] = 0;
        // The four taps; a tap outside the image contributes zero (grid_sample's "zeros" padding).
        for (let t = 0; t < 4; t++) {
          const x = x0 + (t & 1), y = y0 + (t >> 1);
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const w = (t & 1 ? fx : 1 - fx) * (t >> 1 ? fy : 1 - fy);
          const k = (y * W + x) * ch;
          acc[0] += w * data[k];
          acc[1] += w * data[k + 1];
          acc[2] += w * data[k + 2];
        }
        const o = base + i * out + j;
        for (let c = 0; c < 3; c++) res[o + c * plane] = acc[c] * scale[c] - shift[c];
      }
    }
  });
  return res;
}
