import { test } from "node:test";
import assert from "node:assert/strict";
import { ALIGN_TEMPLATE_V1, alignmentFor, alignmentFor5, applyAffine, fivePointsOf68, landmarkDisagreement, templateFivePoints, type Affine } from "../../../src/face/geometry/similarity.ts";

/** A similarity (scale s, rotation deg, shift) as an affine. */
function sim(s: number, deg: number, tx: number, ty: number): Affine {
  const r = (deg * Math.PI) / 180, a = s * Math.cos(r), b = s * Math.sin(r);
  return [a, -b, tx, b, a, ty];
}

/** The template's 68 points moved into an "image" by the inverse of a known similarity. */
const face = (m: Affine) => applyAffine(m, ALIGN_TEMPLATE_V1.points);

test("fivePointsOf68: eye centres, nose tip, mouth corners of the template", () => {
  const p = templateFivePoints();
  const t = ALIGN_TEMPLATE_V1.points;
  const eye = (from: number) => [0, 1].map((c) => [0, 1, 2, 3, 4, 5].reduce((acc, k) => acc + t[2 * (from + k) + c], 0) / 6);
  const want = [...eye(36), ...eye(42), t[60], t[61], t[96], t[97], t[108], t[109]];
  want.forEach((v, i) => assert.ok(Math.abs(p[i] - v) < 1e-4, `point value ${i}: ${p[i]} vs ${v}`));
  // The subject's right eye is on the image's left in a frontal face.
  assert.ok(p[0] < p[2] && p[6] < p[8]);
  assert.throws(() => fivePointsOf68(new Float32Array(10)), /expected 136 values \(68 points\), got 10/);
});

test("alignmentFor5 recovers the similarity that placed the 5 points, as alignmentFor does with 68", () => {
  const m = sim(0.5, 12, 40, -7); // template -> image
  const img68 = face(m);
  const img5 = fivePointsOf68(img68);
  const a5 = alignmentFor5(img5), a68 = alignmentFor(img68);
  // Image -> template: the inverse of m: scale 2, rotation -12 degrees.
  for (const a of [a5, a68]) {
    assert.ok(Math.abs(Math.hypot(a[0], a[3]) - 2) < 1e-4);
    assert.ok(Math.abs((Math.atan2(a[3], a[0]) * 180) / Math.PI + 12) < 1e-3);
  }
  const back = applyAffine(a5, img5);
  const t5 = templateFivePoints();
  back.forEach((v, i) => assert.ok(Math.abs(v - t5[i]) < 1e-2));
  assert.throws(() => alignmentFor5(new Float32Array(8)), /expected 10 values \(5 points\), got 8/);
});

test("landmarkDisagreement: passes a consistent fit, names the failed check otherwise", () => {
  const m = sim(0.6, -5, 100, 80);
  const l68 = face(m);
  const p5 = fivePointsOf68(l68);
  assert.equal(landmarkDisagreement(l68, p5), null);
  // Small jitter of YuNet's points (2 px on ~45 px inter-ocular distance) still passes.
  const jitter = p5.map((v, i) => v + (i % 2 ? 2 : -2));
  assert.equal(landmarkDisagreement(l68, jitter), null);
  // Landmarks slid half a face sideways: the points check fails.
  const slid = l68.map((v, i) => (i % 2 === 0 ? v + 60 : v));
  assert.equal(landmarkDisagreement(slid, p5), "points");
  // Landmarks turned 25 degrees about the nose tip: the fit's rotation differs.
  const nose = [l68[60], l68[61]];
  const rot = applyAffine(sim(1, 25, 0, 0), l68.map((v, i) => v - nose[i % 2])).map((v, i) => v + nose[i % 2]);
  assert.notEqual(landmarkDisagreement(rot, p5), null);
  // Landmarks shrunk to 0.6x about the nose: the scale check (or points) fails.
  const small = l68.map((v, i) => (v - nose[i % 2]) * 0.6 + nose[i % 2]);
  assert.notEqual(landmarkDisagreement(small, p5), null);
  // With loose point limits, rotation and scale are what catch them.
  const loose = { maxPointError: 10, maxScaleRatio: 1.35, maxRotationDeg: 20 };
  assert.equal(landmarkDisagreement(rot, p5, loose), "rotation");
  assert.equal(landmarkDisagreement(small, p5, loose), "scale");
  assert.equal(landmarkDisagreement(l68.map(() => Number.NaN), p5), "degenerate");
  assert.equal(landmarkDisagreement(l68, new Float32Array(10)), "degenerate");
});
