import { after, test } from "node:test";
import assert from "node:assert/strict";
import { defaultModelPath, loadAuModelFromCheckpoint, type AuModel } from "../../src/face/au-model.ts";
import { FaceExpressionNet } from "../../src/face/expression.ts";
import { decodeImage } from "../../src/face/image.ts";
import { FacePipeline } from "../../src/face/pipeline.ts";
import { checkRealFaces, formatRealFaceReport, mirrorImage, MirrorAveragedAuModel, PROTOTYPE_RULES, scoreAgreement } from "../../src/face/realface-check.ts";
import { fromArray, liveTensors, manualSeed, randn } from "../../src/tensor/index.ts";
import { DEFAULT_GEOMETRY_MODEL_PATH, fusionScorer, geometryScorer, loadGeometryModel } from "../../src/face/geometry-au.ts";
import { fx } from "./helpers.ts";

const expressions = FaceExpressionNet.load();
after(() => expressions.dispose());

test("scoreAgreement counts (face, rule) pairs of labelled faces only, per AU and overall", () => {
  const aus = [4, 6, 12];
  const faces = [
    { expression: "happy" as const, labelled: true, probabilities: [0.1, 0.9, 0.4] }, // 4 absent ok, 6 ok, 12 missed
    { expression: "neutral" as const, labelled: true, probabilities: [0.7, 0.0, 0.2] }, // 4 wrong, 12 ok (AU15 not output)
    { expression: "happy" as const, labelled: false, probabilities: [0.9, 0.0, 0.0] }, // not counted
  ];
  const { perAu, overall } = scoreAgreement(faces, aus, 0.5, PROTOTYPE_RULES);
  assert.deepEqual(perAu, [
    { au: 4, agree: 1, total: 2, rate: 0.5 },
    { au: 6, agree: 1, total: 1, rate: 1 },
    { au: 12, agree: 1, total: 2, rate: 0.5 },
  ]);
  assert.deepEqual(overall, { agree: 3, total: 5, rate: 0.6 });
});

test("mirrorImage flips rows left-right and twice is the identity", () => {
  const img = { width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => i) };
  const m = mirrorImage(img);
  assert.deepEqual([...m.data.subarray(0, 9)], [6, 7, 8, 3, 4, 5, 0, 1, 2]);
  assert.deepEqual(mirrorImage(m), img);
});

test("MirrorAveragedAuModel gives the same output for a crop and its mirror", () => {
  // A model that is far from symmetric: weights depend on the column.
  const w = fromArray(Float32Array.from({ length: 8 }, (_, i) => i - 3), [1, 1, 1, 8]);
  const inner: AuModel = { aus: [1, 2], predict: (x) => { const y = x.mul(w); const s = y.sum([1, 2, 3]).unsqueeze(1); y.dispose(); const z = s.sigmoid().repeat([1, 2]); s.dispose(); return z; } };
  const m = new MirrorAveragedAuModel(inner);
  manualSeed(5);
  const x = randn([2, 3, 4, 8]);
  const idx = fromArray(BigInt64Array.from([7n, 6n, 5n, 4n, 3n, 2n, 1n, 0n]), [8], { dtype: "int64" });
  const xf = x.indexSelect(3, idx);
  const a = m.predict(x), b = m.predict(xf), c = inner.predict(x), d = inner.predict(xf);
  const [pa, pb, pc, pd] = [a, b, c, d].map((t) => t.data<"float32">());
  pa.forEach((v, i) => assert.ok(Math.abs(v - pb[i]) < 1e-6, `averaged ${v} vs mirrored ${pb[i]}`));
  assert.ok(pc.some((v, i) => Math.abs(v - pd[i]) > 0.01), "the inner model itself must not be symmetric");
  for (const t of [x, xf, idx, a, b, c, d, w]) t.dispose();
  m.dispose();
});

test("real-face check (small): bundled model on 2 photos, agreement floor and mirror measure", { skip: !defaultModelPath() && "no bundled model" }, async () => {
  const model = await loadAuModelFromCheckpoint(defaultModelPath()!, "cpu");
  const pipeline = new FacePipeline(model, { minConfidence: 0.3 });
  try {
    const images = await Promise.all(["group.jpg", "sample5.jpg"].map(async (f) => ({ name: f, image: await decodeImage(fx(f)) })));
    const before = liveTensors();
    const r = checkRealFaces(pipeline, expressions, images);
    assert.equal(liveTensors(), before);
    assert.equal(r.faces.length, 9);
    assert.match(formatRealFaceReport(r), /PROXY/);
    assert.ok(r.overall.total >= 20, `only ${r.overall.total} (face, rule) pairs`);
    // Floor from the measured value with a margin (see docs/realface.md).
    assert.ok(r.overall.rate >= FLOOR, `agreement ${r.overall.rate}`);
    // The trivial answers, scored on the same pairs: their sum of agreements is the pair count
    // (each rule is either "present" or "absent").
    assert.equal(r.baselines.allPresent.total, r.overall.total);
    assert.equal(r.baselines.allPresent.agree + r.baselines.allAbsent.agree, r.overall.total);
    assert.equal(r.flip.matched, 9);
    assert.ok(r.flip.meanAbsDiff.every((d) => d < FLIP_CEIL), `mirror mean |dp| ${r.flip.meanAbsDiff.map((d) => d.toFixed(3))}`);
    // The pipeline's mirrorAverage mode passes the 0.05 mirror criterion on every face, by construction.
    const sym = new FacePipeline(model, { minConfidence: 0.3, mirrorAverage: true });
    try {
      const s = checkRealFaces(sym, expressions, images);
      assert.equal(s.flip.matched, 9);
      assert.equal(s.flip.consistent, 9);
      assert.ok(s.flip.maxDiff < 1e-5, `mirrorAverage: largest difference ${s.flip.maxDiff}`);
    } finally {
      sym.dispose();
    }
  } finally {
    pipeline.dispose();
    model.dispose?.();
  }
});

// Measured on these 9 faces with the bundled model (faceapi_expression, issue 15): 23/24 pairs agree
// (95.8%; the earlier ResNet-18 model 19/24); the floor leaves room for 3 pairs to flip (20/24 = 83.3%).
const FLOOR = 0.8;
// The bundled model does NOT pass the 0.05 mirror criterion without mirrorAverage (0/9 faces; per-AU
// mean |dp| up to 0.205 measured): this ceiling only guards against it getting worse, docs/realface.md reports it.
const FLIP_CEIL = 0.3;

test("checkRealFaces refuses options outside [0, 1]", () => {
  assert.throws(() => checkRealFaces({} as FacePipeline, expressions, [], { minExpressionProbability: 1.5 }), /minExpressionProbability must be a number in \[0, 1\], got 1.5/);
});

test("real-face check (small) of a scorer: the geometry model fused with the bundled model, floor and mirror measure", { skip: !defaultModelPath() && "no bundled model" }, async () => {
  const model = await loadAuModelFromCheckpoint(defaultModelPath()!, "cpu");
  const pipeline = new FacePipeline(model, { minConfidence: 0.3 });
  try {
    const g = loadGeometryModel(DEFAULT_GEOMETRY_MODEL_PATH);
    const images = await Promise.all(["group.jpg", "sample5.jpg"].map(async (f) => ({ name: f, image: await decodeImage(fx(f)) })));
    const plain = checkRealFaces(pipeline, expressions, images);
    const fused = checkRealFaces(pipeline, expressions, images, { scorer: fusionScorer(g, model.aus) });
    const geo = checkRealFaces(pipeline, expressions, images, { scorer: geometryScorer(g) });
    assert.equal(fused.faces.length, 9);
    assert.deepEqual(fused.aus, model.aus);
    assert.deepEqual(geo.aus, g.aus);
    // Same faces and labels, other probabilities.
    assert.deepEqual(fused.faces.map((f) => [f.expression, f.labelled]), plain.faces.map((f) => [f.expression, f.labelled]));
    assert.ok(fused.faces.some((f, i) => f.probabilities.some((p, k) => Math.abs(p - plain.faces[i].probabilities[k]) > 1e-3)));
    assert.equal(fused.overall.total, plain.overall.total);
    // Measured: fused 21/24 (87.5%; plain 23/24, geometry alone 14/24); the floor lets 3 pairs flip.
    assert.ok(fused.overall.rate >= FUSED_FLOOR, `fused agreement ${fused.overall.rate}`);
    // Measured per-AU mean mirror difference up to 0.131 fused.
    assert.ok(fused.flip.meanAbsDiff.every((d) => d < 0.2), `mirror mean |dp| ${fused.flip.meanAbsDiff.map((d) => d.toFixed(3))}`);
    assert.throws(() => checkRealFaces(pipeline, expressions, images.slice(1), { scorer: { aus: [1, 2], score: () => [0.5] } }), /the scorer gave 1 probabilities for 2 AUs/);
  } finally {
    pipeline.dispose();
    model.dispose?.();
  }
});

const FUSED_FLOOR = 0.75;
