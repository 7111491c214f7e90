/**
 * Face alignment: a least-squares similarity transform (rotation, uniform scale, translation; the
 * closed form of Umeyama 1991 in 2-D, no reflection) from selected 68-point landmarks to a fixed
 * template in a 256x256 crop, then the spec's test-time view of it: the 224x224 centre crop,
 * scaled to 0..1 and normalised per channel (aunce-spec §5). See docs/alignment.md; changing the
 * template or the point set is a new version, since models trained on one framing degrade on another.
 */
import { affineGrid, fromArray, gridSample, noGrad, Tensor } from "../tensor/index.ts";
import { imageToTensor, type RgbImage } from "./image.ts";
import type { Landmarks68 } from "./landmarks.ts";

/** A 2x3 affine matrix, row-major [a, b, tx, c, d, ty]: (x, y) -> (a x + b y + tx, c x + d y + ty). */
export type Affine = [number, number, number, number, number, number];

/** An alignment template: where the chosen landmarks go in a size x size crop. */
export interface AlignTemplate {
  version: string;
  size: number;
  /** 68 points [x0, y0, ...] in crop pixels (pixel centres at integers). */
  points: readonly number[];
  /** Indices (0..67) of the points the transform is fitted to. */
  indices: readonly number[];
}

/**
 * aunce-align-v1: the SynthAU mean face (neutral identity, frontal, camera at 70 cm) framed as
 * SynthAU frames its crops on average: crop side 1.4x the landmark box, centred 0.12 box above the
 * landmark box centre, 256 px. Fitted on the eyes (36-47) and nose (27-35): points that AUs move
 * little, so an expression does not shift the crop; brows, mouth and jaw are left out.
 */
export const ALIGN_TEMPLATE_V1: AlignTemplate = {
  version: "aunce-align-v1",
  size: 256,
  points: [
    39.31, 96.1, 40.03, 122.38, 43.42, 146.07, 47.34, 169.47, 56.63, 196.49, 73.41, 219.4, 88.47, 230.29, 107.64, 237.02, 128, 241.37,
    148.36, 237.02, 167.53, 230.29, 182.59, 219.4, 199.37, 196.49, 208.66, 169.47, 212.58, 146.07, 215.97, 122.38, 216.69, 96.1,
    53.61, 74.18, 63.89, 63.09, 78.08, 58.51, 95.91, 58.59, 112.37, 62.08, 143.63, 62.08, 160.09, 58.59, 177.92, 58.51, 192.11, 63.09, 202.39, 74.18,
    128, 90.99, 128, 105.4, 128, 119.01, 128, 135.48, 111.25, 156.22, 119.88, 156.3, 128, 157.23, 136.12, 156.3, 144.75, 156.22,
    70.38, 96.38, 77.44, 90.16, 91.56, 89.24, 103.96, 98.39, 92.31, 100.45, 77.71, 100.72,
    152.04, 98.38, 164.44, 89.24, 178.56, 90.16, 185.62, 96.38, 178.29, 100.72, 163.69, 100.45,
    94.46, 187.43, 105.12, 178.26, 118.14, 173.8, 128, 174.68, 137.86, 173.8, 150.88, 178.26, 161.54, 187.43, 152.09, 195.17, 141.94, 198.93,
    128, 200.1, 114.06, 198.93, 103.91, 195.17, 98.8, 186.99, 114.64, 185.15, 128, 185.66, 141.36, 185.15, 157.2, 186.99, 142.33, 186.23,
    128, 186.66, 113.67, 186.23,
  ],
  indices: [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
};

/** The spec's test-time input (aunce-spec §5): centre 224 of the 256 crop, CIFAR-style mean/std. */
export const AU_INPUT = {
  size: 224,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
} as const;

/**
 * Least-squares similarity mapping src points onto dst points (both [x0, y0, ...], pairs chosen by
 * `indices`): minimises sum |s R p + t - q|^2 over rotation R, scale s > 0 and translation t.
 */
export function similarityTransform(src: ArrayLike<number>, dst: ArrayLike<number>, indices: readonly number[]): Affine {
  const n = indices.length;
  if (n < 2) throw new RangeError(`similarityTransform: need at least 2 point pairs, got ${n}`);
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (const i of indices) { msx += src[2 * i]; msy += src[2 * i + 1]; mdx += dst[2 * i]; mdy += dst[2 * i + 1]; }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  // In complex form q = z p + t with z = a + ib: z = sum conj(p) q / sum |p|^2 over centred points.
  let num_a = 0, num_b = 0, den = 0;
  for (const i of indices) {
    const px = src[2 * i] - msx, py = src[2 * i + 1] - msy;
    const qx = dst[2 * i] - mdx, qy = dst[2 * i + 1] - mdy;
    num_a += px * qx + py * qy;
    num_b += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (!(den > 0)) throw new RangeError("similarityTransform: the source points coincide");
  const a = num_a / den, b = num_b / den;
  return [a, -b, mdx - (a * msx - b * msy), b, a, mdy - (b * msx + a * msy)];
}

/** Applies an affine to points [x0, y0, ...]. */
export function applyAffine(m: Affine, pts: ArrayLike<number>): Float32Array {
  const out = new Float32Array(pts.length);
  for (let i = 0; i < pts.length; i += 2) {
    out[i] = m[0] * pts[i] + m[1] * pts[i + 1] + m[2];
    out[i + 1] = m[3] * pts[i] + m[4] * pts[i + 1] + m[5];
  }
  return out;
}

/** The inverse of an invertible affine. */
export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (Math.abs(det) < 1e-12) throw new RangeError("invertAffine: singular matrix");
  const a = m[4] / det, b = -m[1] / det, c = -m[3] / det, d = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), c, d, -(c * m[2] + d * m[5])];
}

/** The transform from image pixels to template-crop pixels for one face's landmarks. */
export function alignmentFor(landmarks: Landmarks68, template: AlignTemplate = ALIGN_TEMPLATE_V1): Affine {
  return similarityTransform(landmarks, template.points, template.indices);
}

/**
 * Warps `img` into out x out crops, one per transform (image -> crop pixels, in the template's
 * frame), taking the window starting at (offset, offset) of that frame: offset 0 and out 256 give
 * the full aligned crop, offset 16 and out 224 its centre crop. Bilinear, black outside the image.
 * Returns [B,3,out,out] float32 in 0..1.
 */
export function warpFaces(img: RgbImage | Tensor, transforms: readonly Affine[], out: number, offset = 0): Tensor {
  return noGrad(() => {
    const src = img instanceof Tensor ? img : imageToTensor(img);
    const [, , H, W] = src.shape;
    // theta maps output normalised coords (align_corners=false) to input normalised coords:
    // out pixel u = ((xn + 1) * out - 1) / 2 + offset; image pixel p = M^-1 u; xin = (2p + 1) / W - 1.
    const theta = new Float32Array(transforms.length * 6);
    transforms.forEach((m, k) => {
      const inv = invertAffine(m);
      const ox = (out - 1) / 2 + offset; // u = (out/2) xn + ox
      const h = out / 2;
      const row = (r0: number, r1: number, r2: number, size: number, o: number) => {
        // xin = (2/size) (r0 u + r1 v + r2) + 1/size - 1, with u = h xn + ox, v = h yn + ox
        const s = 2 / size;
        theta[k * 6 + o] = s * r0 * h;
        theta[k * 6 + o + 1] = s * r1 * h;
        theta[k * 6 + o + 2] = s * (r0 * ox + r1 * ox + r2) + 1 / size - 1;
      };
      row(inv[0], inv[1], inv[2], W, 0);
      row(inv[3], inv[4], inv[5], H, 3);
    });
    const th = fromArray(theta, [transforms.length, 2, 3]);
    const grid = affineGrid(th, [transforms.length, 3, out, out], false);
    const b = src.shape[0] === transforms.length ? src.alias() : src.expand([transforms.length, 3, H, W]);
    const warped = gridSample(b, grid, "bilinear", "zeros", false);
    const scaled = warped.div(255);
    for (const t of [th, grid, b, warped]) t.dispose();
    if (src !== img) src.dispose();
    return scaled;
  });
}

/**
 * The AU model's input for aligned faces: [B,3,224,224] float32, centre 224 of the 256 template
 * crop, (x/255 - mean) / std per channel.
 */
export function auInputs(img: RgbImage | Tensor, transforms: readonly Affine[], template: AlignTemplate = ALIGN_TEMPLATE_V1): Tensor {
  const off = (template.size - AU_INPUT.size) / 2;
  const crops = warpFaces(img, transforms, AU_INPUT.size, off);
  return noGrad(() => {
    const mean = fromArray(Float32Array.from(AU_INPUT.mean), [1, 3, 1, 1]);
    const std = fromArray(Float32Array.from(AU_INPUT.std), [1, 3, 1, 1]);
    const c = crops.sub(mean);
    const n = c.div(std);
    for (const t of [mean, std, c, crops]) t.dispose();
    return n;
  });
}
