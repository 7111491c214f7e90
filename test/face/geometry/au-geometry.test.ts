import { test } from "node:test";
import assert from "node:assert/strict";
import { GEOMETRY_DISTANCES, GEOMETRY_FEATURE_COUNT, geometryFeatureNames, geometryFeatures, MIRROR_68, mirrorGeometryFeatures } from "../../../src/face/geometry/au-geometry.ts";
import { ALIGN_TEMPLATE_V1, alignmentFor, applyAffine, type Affine } from "../../../src/face/geometry/similarity.ts";

const T = ALIGN_TEMPLATE_V1.points;
const idx = (name: string) => 136 + GEOMETRY_DISTANCES.findIndex((d) => d.name === name);

/** Template points moved by an "expression": mouth corners (48, 54) up by `lift` px. */
function smile(lift: number): Float32Array {
  const p = Float32Array.from(T);
  p[2 * 48 + 1] -= lift;
  p[2 * 54 + 1] -= lift;
  return p;
}

test("the template itself has all-zero features; names match the count", () => {
  const f = geometryFeatures(T);
  assert.equal(f.length, GEOMETRY_FEATURE_COUNT);
  assert.equal(geometryFeatureNames().length, GEOMETRY_FEATURE_COUNT);
  for (const v of f) assert.ok(Math.abs(v) < 1e-6, `${v}`);
});

test("a known distance: lifting both mouth corners by 6 px gives lipCornerLift 6 / inter-ocular distance", () => {
  // Template eye centres: means of 36-41 and 42-47.
  let lx = 0, rx = 0, ly = 0, ry = 0;
  for (let i = 0; i < 6; i++) { lx += T[2 * (36 + i)] / 6; ly += T[2 * (36 + i) + 1] / 6; rx += T[2 * (42 + i)] / 6; ry += T[2 * (42 + i) + 1] / 6; }
  const iod = Math.hypot(rx - lx, ry - ly);
  // By hand: left eye x (70.38 + 77.44 + 91.56 + 103.96 + 92.31 + 77.71) / 6 = 85.56, right
  // (152.04 + 164.44 + 178.56 + 185.62 + 178.29 + 163.69) / 6 = 170.44; y 575.34 / 6 vs 575.33 / 6.
  assert.ok(Math.abs(iod - Math.hypot(84.88, 0.01 / 6)) < 1e-9, `iod ${iod}`);
  const f = geometryFeatures(smile(6));
  assert.ok(Math.abs(f[idx("lipCornerLift")] - 6 / iod) < 1e-6, `${f[idx("lipCornerLift")]}`);
  // y offset of point 48 is -6 / iod; its x offset and the eye-based brow distances are unchanged (the fit points did not move).
  assert.ok(Math.abs(f[2 * 48 + 1] + 6 / iod) < 1e-6);
  assert.ok(Math.abs(f[2 * 48]) < 1e-6);
  assert.ok(Math.abs(f[idx("innerBrowHeight")]) < 1e-6);
  // cornerBelowEye drops by the same amount.
  assert.ok(Math.abs(f[idx("cornerBelowEye")] + 6 / iod) < 1e-6);
});

test("features are invariant to translating, rotating and scaling the landmarks (alignment refitted)", () => {
  const base = smile(4);
  // a little asymmetric noise so the case is not special
  for (let i = 0; i < 136; i++) base[i] += Math.sin(i * 1.7) * 1.5;
  const f0 = geometryFeatures(base);
  for (const [angle, s, tx, ty] of [[0.3, 2.5, 40, -12], [-1.1, 0.4, 300, 500], [Math.PI, 1, 0, 0]]) {
    const c = Math.cos(angle) * s, d = Math.sin(angle) * s;
    const m: Affine = [c, -d, tx, d, c, ty];
    const moved = applyAffine(m, base);
    const f1 = geometryFeatures(moved, alignmentFor(moved));
    f1.forEach((v, i) => assert.ok(Math.abs(v - f0[i]) < 2e-5, `feature ${i}: ${v} vs ${f0[i]} (angle ${angle})`));
  }
});

test("the features of a mirrored face are mirrorGeometryFeatures of the face's", () => {
  const base = smile(3);
  for (let i = 0; i < 136; i++) base[i] += Math.cos(i * 0.9) * 2;
  const mirrored = new Float32Array(136);
  for (let i = 0; i < 68; i++) { mirrored[2 * MIRROR_68[i]] = 640 - base[2 * i]; mirrored[2 * MIRROR_68[i] + 1] = base[2 * i + 1]; }
  const a = mirrorGeometryFeatures(geometryFeatures(base)), b = geometryFeatures(mirrored);
  // The template is symmetric to its 2 decimals, so agreement is to ~1e-4.
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 2e-4, `feature ${i}: ${v} vs ${b[i]}`));
  assert.ok(MIRROR_68.every((j, i) => MIRROR_68[j] === i), "MIRROR_68 is an involution");
});

test("bad landmarks are refused with a clear error", () => {
  assert.throws(() => geometryFeatures(new Float32Array(10)), /expected 136 values/);
  const nan = Float32Array.from(T); nan[5] = NaN;
  assert.throws(() => geometryFeatures(nan), /landmark value 5 is not finite/);
  assert.throws(() => geometryFeatures(new Float32Array(136), [1, 0, 0, 0, 1, 0]), /eye centres coincide/);
});
