import { test } from "node:test";
import assert from "node:assert/strict";
import { GEOMETRY_FEATURE_COUNT } from "../../../src/face/geometry/au-geometry.ts";
import { fitFusionStacking, fuseGeometry, fuseProbabilities, predictGeometry, trainGeometryModel, validateGeometryModel } from "../../../src/face/geometry/geometry-model.ts";

const d = GEOMETRY_FEATURE_COUNT;

/** A tiny seeded set: AU "12" present when feature 136 + 8 (lipCornerLift) > 0, AU "4" when feature 136 + 3 (browGap) < -0.05. */
function tinySet(n: number, seed: number) {
  let a = seed;
  const r = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const X = new Float32Array(n * d), Y = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = 0.1 * r();
    Y[i * 2] = X[i * d + 144] > 0 ? 1 : 0;
    Y[i * 2 + 1] = X[i * d + 139] < -0.05 ? 1 : 0;
  }
  return { X, Y };
}

for (const hidden of [0, 8]) {
  test(`training (hidden ${hidden}) is deterministic with a seed, learns a separable rule, and a new seed changes the weights`, () => {
    const { X, Y } = tinySet(600, 7);
    const opts = { hidden, epochs: 20, batchSize: 32, lr: 1e-2, seed: 3 };
    const a = trainGeometryModel(X, Y, [12, 4], opts), b = trainGeometryModel(X, Y, [12, 4], opts);
    assert.deepEqual(a, b);
    validateGeometryModel(JSON.parse(JSON.stringify(a)));
    const c = trainGeometryModel(X, Y, [12, 4], { ...opts, seed: 4 });
    assert.notDeepEqual(c.layers[0].weight, a.layers[0].weight);
    // On fresh samples of the same rule: mostly right.
    const t = tinySet(200, 99);
    let right = 0;
    for (let i = 0; i < 200; i++) {
      const p = predictGeometry(a, t.X.subarray(i * d, (i + 1) * d));
      right += Number((p[0] >= 0.5) === (t.Y[i * 2] === 1)) + Number((p[1] >= 0.5) === (t.Y[i * 2 + 1] === 1));
    }
    // The AU4 rule depends on a mirrored-and-averaged feature (browGap is left-right symmetric), the
    // AU12 one too, so mirror averaging does not hide them. Chance would be ~50%.
    assert.ok(right / 400 > 0.8, `accuracy ${right / 400}`);
  });
}

test("not-coded labels are left out; bad inputs are refused", () => {
  const { X, Y } = tinySet(40, 1);
  const Y9 = Y.map((v, i) => (i % 7 === 0 ? 9 : v));
  const m = trainGeometryModel(X, Y9, [12, 4], { epochs: 2, seed: 1 });
  assert.ok(m.layers[0].weight.every(Number.isFinite));
  assert.throws(() => trainGeometryModel(X.subarray(1), Y, [12, 4]), /not a multiple/);
  assert.throws(() => trainGeometryModel(X, Y.subarray(2), [12, 4]), /labels must be \[40, 2\]/);
  assert.throws(() => trainGeometryModel(X, Y, [12, 4], { hidden: -1 }), /bad options/);
});

test("validateGeometryModel names what is wrong", () => {
  const { X, Y } = tinySet(20, 2);
  const m = trainGeometryModel(X, Y, [12, 4], { epochs: 1 });
  assert.throws(() => validateGeometryModel({ ...m, format: "x" }), /format must be "aunce-geometry-au"/);
  assert.throws(() => validateGeometryModel({ ...m, features: "old" }), /trained on features "old"/);
  assert.throws(() => validateGeometryModel({ ...m, aus: [12] }), /outputs 2 values for 1 AUs/);
  assert.throws(() => validateGeometryModel({ ...m, std: m.std.map(() => 0) }), /std values must be > 0/);
  assert.throws(() => validateGeometryModel({ ...m, fusion: { kind: "stack", bias: [0], image: [1], geometry: [1] } }), /fusion must be/);
  assert.throws(() => predictGeometry(m, new Float32Array(3)), /expected 152 features/);
});

test("fusion: the mean where the geometry model has the AU, the image probability elsewhere; stacking from (0, 0.5, 0.5)", () => {
  assert.deepEqual([...fuseProbabilities([1, 4, 12], [0.2, 0.4, 0.8], [12, 4], [0.6, 0.0])].map((x) => +x.toFixed(6)), [0.2, 0.2, 0.7]);
  assert.throws(() => fuseProbabilities([1], [0.2, 0.3], [1], [0.1]), /2 image probabilities for 1 AUs/);
  const { X, Y } = tinySet(20, 3);
  const m = trainGeometryModel(X, Y, [12, 4], { epochs: 1 });
  // No iterations: the logit-space mean sigmoid((logit a + logit b) / 2).
  const f0 = fitFusionStacking([0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1], 2, 0);
  assert.deepEqual(f0, { kind: "stack", bias: [0, 0], image: [0.5, 0.5], geometry: [0.5, 0.5] });
  const p = fuseGeometry({ ...m, fusion: f0 }, [12, 4], [0.9, 0.1], [0.5, 0.1]);
  const sig = (z: number) => 1 / (1 + Math.exp(-z)), lg = (q: number) => Math.log(q / (1 - q));
  assert.ok(Math.abs(p[0] - sig(0.5 * lg(0.9))) < 1e-6 && Math.abs(p[1] - 0.1) < 1e-6, `${[...p]}`);
  // Fitted on data where only the image probability is informative, the image weight grows.
  const img = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], geo = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], lab = [1, 0, 1, 0, 1, 0];
  const f = fitFusionStacking(img, geo, lab, 1);
  assert.ok(f.image[0] > 0.5 && Math.abs(f.geometry[0] - 0.5) < 1e-9, JSON.stringify(f));
  assert.deepEqual(fitFusionStacking(img, geo, lab, 1), f);
});
