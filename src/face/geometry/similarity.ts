/**
 * Similarity alignment on plain numbers (no engine): the least-squares similarity transform
 * (rotation, uniform scale, translation; the closed form of Umeyama 1991 in 2-D, no reflection)
 * from landmarks to a fixed template, the aunce-align-v1 template (68 points) and its 5-point
 * view for YuNet's key points, and the sanity checks that decide between them. The tensor warp
 * that applies a transform lives in src/face/align.ts.
 */

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
export function alignmentFor(landmarks: ArrayLike<number>, template: AlignTemplate = ALIGN_TEMPLATE_V1): Affine {
  return similarityTransform(landmarks, template.points, template.indices);
}


/**
 * The 5 points YuNet gives (subject's right eye, left eye, nose tip, right and left mouth corner)
 * on the 68-point scheme: eye centres as the mean of each eye's 6 points (36-41, 42-47), nose tip
 * 30, mouth corners 48 and 54. Input [x0, y0, ...] of 68 points -> [10].
 */
export function fivePointsOf68(l: ArrayLike<number>): Float32Array {
  if (l.length !== 136) throw new RangeError(`fivePointsOf68: expected 136 values (68 points), got ${l.length}`);
  const out = new Float32Array(10);
  const mean = (from: number, to: number, k: number) => {
    let sx = 0, sy = 0;
    for (let i = from; i <= to; i++) { sx += l[2 * i]; sy += l[2 * i + 1]; }
    out[2 * k] = sx / (to - from + 1);
    out[2 * k + 1] = sy / (to - from + 1);
  };
  mean(36, 41, 0);
  mean(42, 47, 1);
  for (const [k, i] of [[2, 30], [3, 48], [4, 54]] as const) { out[2 * k] = l[2 * i]; out[2 * k + 1] = l[2 * i + 1]; }
  return out;
}

/** The template's 5 key points (fivePointsOf68 of its 68 points), in crop pixels. */
export function templateFivePoints(template: AlignTemplate = ALIGN_TEMPLATE_V1): Float32Array {
  return fivePointsOf68(template.points);
}

/** The transform from image pixels to template-crop pixels from YuNet's 5 points. */
export function alignmentFor5(points5: ArrayLike<number>, template: AlignTemplate = ALIGN_TEMPLATE_V1): Affine {
  if (points5.length !== 10) throw new RangeError(`alignmentFor5: expected 10 values (5 points), got ${points5.length}`);
  return similarityTransform(points5, templateFivePoints(template), [0, 1, 2, 3, 4]);
}

/** Limits of landmarksAgree (defaults in LANDMARK_SANITY). */
export interface LandmarkSanity {
  /** Largest distance between a 68-point-derived key point and YuNet's, over the inter-ocular distance. */
  maxPointError: number;
  /** Scale of the 68-point alignment over the 5-point one must lie in [1/r, r]. */
  maxScaleRatio: number;
  /** Largest rotation difference between the two alignments, degrees. */
  maxRotationDeg: number;
}

/**
 * Defaults: the 68-point fit is trusted when its key points lie within 0.35 inter-ocular distances
 * of YuNet's, its scale within 1.35x and its rotation within 20 degrees of the 5-point alignment.
 * A landmark net that locked onto the wrong part of a crop (a hand, a profile's far side) misses
 * these by far; a good fit on a frontal or three-quarter face passes them.
 */
export const LANDMARK_SANITY: Readonly<LandmarkSanity> = { maxPointError: 0.35, maxScaleRatio: 1.35, maxRotationDeg: 20 };

/**
 * Whether the 68 landmarks agree with YuNet's 5 points well enough to align on them (see
 * LANDMARK_SANITY). Returns the failed check's name, or null when all pass.
 */
export function landmarkDisagreement(landmarks: ArrayLike<number>, points5: ArrayLike<number>, limits: LandmarkSanity = LANDMARK_SANITY, template: AlignTemplate = ALIGN_TEMPLATE_V1): "points" | "scale" | "rotation" | "degenerate" | null {
  for (let i = 0; i < landmarks.length; i++) if (!Number.isFinite(landmarks[i])) return "degenerate";
  const own = fivePointsOf68(landmarks);
  const iod = Math.hypot(points5[2] - points5[0], points5[3] - points5[1]);
  if (!(iod > 0)) return "degenerate";
  for (let k = 0; k < 5; k++) {
    if (Math.hypot(own[2 * k] - points5[2 * k], own[2 * k + 1] - points5[2 * k + 1]) / iod > limits.maxPointError) return "points";
  }
  let m68: Affine;
  try { m68 = alignmentFor(landmarks, template); } catch { return "degenerate"; }
  const m5 = alignmentFor5(points5, template);
  const s68 = Math.hypot(m68[0], m68[3]), s5 = Math.hypot(m5[0], m5[3]);
  const ratio = s68 / s5;
  if (!(ratio <= limits.maxScaleRatio && ratio >= 1 / limits.maxScaleRatio)) return "scale";
  let d = Math.atan2(m68[3], m68[0]) - Math.atan2(m5[3], m5[0]);
  d = Math.atan2(Math.sin(d), Math.cos(d));
  if (Math.abs(d) * (180 / Math.PI) > limits.maxRotationDeg) return "rotation";
  return null;
}

/** What a face was aligned on: its 68 landmarks, or the detector's 5 points when the 68 failed the sanity checks. */
export type AlignedOn = "landmarks68" | "points5";

/**
 * The alignment the face pipeline uses (Node and browser alike): the 68-point fit, unless the
 * detector gave 5 points and the 68 points disagree with them (landmarkDisagreement), in which case
 * the 5-point fit.
 */
export function faceAlignment(landmarks: ArrayLike<number>, points5: ArrayLike<number> | undefined, template: AlignTemplate = ALIGN_TEMPLATE_V1): { alignment: Affine; alignedOn: AlignedOn } {
  if (points5 && landmarkDisagreement(landmarks, points5, undefined, template) !== null) return { alignment: alignmentFor5(points5, template), alignedOn: "points5" };
  return { alignment: alignmentFor(landmarks, template), alignedOn: "landmarks68" };
}
