/**
 * Landmark-geometry features for AU models (issue 15 part 3), on plain numbers (no engine, shared
 * by Node and the browser). From one face's 68 landmarks (frame pixels, iBUG 300-W order) and the
 * alignment the pipeline computed for it (frame pixels -> template crop pixels, faceAlignment):
 *
 * 1. the points in aligned-face coordinates, centred on the mean of the template's fit points
 *    (eyes and nose, which AUs move little) and divided by the inter-ocular distance (between the
 *    two eye centres, means of points 36-41 and 42-47), minus the template shape normalised the
 *    same way: 136 values;
 * 2. AU-relevant distances in inter-ocular units, each minus the template's own value, left and
 *    right averaged (GEOMETRY_DISTANCES lists them).
 *
 * Translating, rotating or scaling the landmarks (and refitting the alignment) leaves the features
 * unchanged; tests check it. Changing what is computed is a new GEOMETRY_FEATURES_VERSION.
 */
import { ALIGN_TEMPLATE_V1, alignmentFor, applyAffine, type Affine, type AlignTemplate } from "./similarity.ts";

export const GEOMETRY_FEATURES_VERSION = "aunce-geom-v1";

/** Points [x0, y0, ...] of 68 landmarks. */
type Pts = ArrayLike<number>;

const px = (p: Pts, i: number) => p[2 * i];
const py = (p: Pts, i: number) => p[2 * i + 1];
const dist = (p: Pts, i: number, j: number) => Math.hypot(px(p, i) - px(p, j), py(p, i) - py(p, j));
const mean = (...xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The distances, on normalised points (y grows downwards, 1 = inter-ocular distance). "Height" is
 * a difference of y; the others are Euclidean.
 */
export const GEOMETRY_DISTANCES: readonly { name: string; aus: string; of: (p: Pts) => number }[] = [
  { name: "innerBrowHeight", aus: "1, 4", of: (p) => mean(py(p, 39) - py(p, 21), py(p, 42) - py(p, 22)) },
  { name: "midBrowHeight", aus: "1, 2, 4", of: (p) => mean(py(p, 37) - py(p, 19), py(p, 44) - py(p, 24)) },
  { name: "outerBrowHeight", aus: "2", of: (p) => mean(py(p, 36) - py(p, 17), py(p, 45) - py(p, 26)) },
  { name: "browGap", aus: "4", of: (p) => dist(p, 21, 22) },
  { name: "eyeOpening", aus: "5, 6, 7", of: (p) => mean(dist(p, 37, 41), dist(p, 38, 40), dist(p, 43, 47), dist(p, 44, 46)) },
  { name: "mouthWidth", aus: "12, 14, 20, 23", of: (p) => dist(p, 48, 54) },
  { name: "innerLipOpening", aus: "25, 26", of: (p) => dist(p, 62, 66) },
  { name: "outerLipOpening", aus: "25, 26", of: (p) => dist(p, 51, 57) },
  { name: "lipCornerLift", aus: "12, 15", of: (p) => mean(py(p, 51), py(p, 57)) - mean(py(p, 48), py(p, 54)) },
  { name: "cornerBelowEye", aus: "6, 12, 15", of: (p) => mean(py(p, 48) - py(p, 36), py(p, 54) - py(p, 45)) },
  { name: "noseToUpperLip", aus: "10", of: (p) => dist(p, 33, 51) },
  { name: "noseWingToCorner", aus: "10, 12, 14", of: (p) => mean(dist(p, 31, 48), dist(p, 35, 54)) },
  { name: "upperLipThickness", aus: "23, 24", of: (p) => dist(p, 51, 62) },
  { name: "lowerLipThickness", aus: "23, 24", of: (p) => dist(p, 66, 57) },
  { name: "lowerLipToChin", aus: "17, 26", of: (p) => dist(p, 57, 8) },
  { name: "noseToChin", aus: "26, 27", of: (p) => dist(p, 33, 8) },
];

/** Number of features: 136 normalised point offsets + the distances. */
export const GEOMETRY_FEATURE_COUNT = 136 + GEOMETRY_DISTANCES.length;

/** Feature names in order (x0, y0, ..., x67, y67, then the distances' names). */
export function geometryFeatureNames(): string[] {
  const names: string[] = [];
  for (let i = 0; i < 68; i++) names.push(`x${i}`, `y${i}`);
  for (const d of GEOMETRY_DISTANCES) names.push(d.name);
  return names;
}

/** Points centred on the mean of `indices` and divided by their inter-ocular distance. */
function normalise(pts: Pts, indices: readonly number[]): Float64Array {
  let cx = 0, cy = 0;
  for (const i of indices) { cx += px(pts, i); cy += py(pts, i); }
  cx /= indices.length; cy /= indices.length;
  let lx = 0, ly = 0, rx = 0, ry = 0;
  for (let i = 36; i <= 41; i++) { lx += px(pts, i) / 6; ly += py(pts, i) / 6; }
  for (let i = 42; i <= 47; i++) { rx += px(pts, i) / 6; ry += py(pts, i) / 6; }
  const iod = Math.hypot(rx - lx, ry - ly);
  if (!(iod > 1e-9)) throw new RangeError("geometryFeatures: the eye centres coincide (degenerate landmarks)");
  const out = new Float64Array(136);
  for (let i = 0; i < 68; i++) { out[2 * i] = (px(pts, i) - cx) / iod; out[2 * i + 1] = (py(pts, i) - cy) / iod; }
  return out;
}

const templateCache = new WeakMap<AlignTemplate, { points: Float64Array; distances: Float64Array }>();
function templateShape(t: AlignTemplate): { points: Float64Array; distances: Float64Array } {
  let s = templateCache.get(t);
  if (!s) {
    const points = normalise(t.points, t.indices);
    s = { points, distances: Float64Array.from(GEOMETRY_DISTANCES, (d) => d.of(points)) };
    templateCache.set(t, s);
  }
  return s;
}

/**
 * Geometry features of one face: landmarks [136] in frame pixels and the alignment frame ->
 * template crop (the pipeline's; default: the 68-point fit to `template`). Returns
 * GEOMETRY_FEATURE_COUNT values.
 */
export function geometryFeatures(landmarks: Pts, alignment?: Affine, template: AlignTemplate = ALIGN_TEMPLATE_V1): Float32Array {
  if (landmarks.length !== 136) throw new RangeError(`geometryFeatures: expected 136 values (68 points), got ${landmarks.length}`);
  for (let i = 0; i < 136; i++) if (!Number.isFinite(landmarks[i])) throw new RangeError(`geometryFeatures: landmark value ${i} is not finite`);
  const aligned = applyAffine(alignment ?? alignmentFor(landmarks, template), landmarks);
  const p = normalise(aligned, template.indices);
  const t = templateShape(template);
  const out = new Float32Array(GEOMETRY_FEATURE_COUNT);
  for (let i = 0; i < 136; i++) out[i] = p[i] - t.points[i];
  GEOMETRY_DISTANCES.forEach((d, k) => { out[136 + k] = d.of(p) - t.distances[k]; });
  return out;
}

/** iBUG 68-point index of each point's mirror image (left-right flip of the face). */
export const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const pair = (a: number, b: number) => { m[a] = b; m[b] = a; };
  for (let i = 0; i < 8; i++) pair(i, 16 - i); // jaw 0-16, 8 on the axis
  for (let i = 0; i < 5; i++) pair(17 + i, 26 - i); // brows
  for (let i = 0; i < 2; i++) pair(31 + i, 35 - i); // nose wings, 33 on the axis
  pair(36, 45); pair(37, 44); pair(38, 43); pair(39, 42); pair(40, 47); pair(41, 46); // eyes
  pair(48, 54); pair(49, 53); pair(50, 52); pair(59, 55); pair(58, 56); // outer lips
  pair(60, 64); pair(61, 63); pair(67, 65); // inner lips
  return m;
})();

/**
 * The features of the mirrored face computed from the features of the face: point offsets flipped
 * in x and re-indexed by MIRROR_68; the distances (left-right averages) are unchanged. Exact when
 * the template is symmetric about a vertical axis through its fit points' centre (ALIGN_TEMPLATE_V1
 * is, to its two decimals).
 */
export function mirrorGeometryFeatures(f: ArrayLike<number>): Float32Array {
  if (f.length !== GEOMETRY_FEATURE_COUNT) throw new RangeError(`mirrorGeometryFeatures: expected ${GEOMETRY_FEATURE_COUNT} values, got ${f.length}`);
  const out = Float32Array.from(f);
  for (let i = 0; i < 68; i++) {
    const j = MIRROR_68[i];
    out[2 * j] = -f[2 * i];
    out[2 * j + 1] = f[2 * i + 1];
  }
  return out;
}
