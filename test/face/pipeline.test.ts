import { after, test } from "node:test";
import assert from "node:assert/strict";
import { BP4D_AUS, LinearProbeAuModel } from "../../src/face/au-model.ts";
import { decodeImage, mirrorImage } from "../../src/face/image.ts";
import { mirrorFaceBox } from "../../src/face/geometry/mirror.ts";
import { FacePipeline, followBox } from "../../src/face/pipeline.ts";
import { applyAffine, ALIGN_TEMPLATE_V1, alignmentFor5 } from "../../src/face/align.ts";
import { liveTensors, manualSeed } from "../../src/tensor/index.ts";
import { fx } from "./helpers.ts";

manualSeed(0);
const model = new LinearProbeAuModel("resnet_tiny", BP4D_AUS);
const pipe = new FacePipeline(model);
after(() => { pipe.dispose(); model.dispose(); });

test("FacePipeline.analyze: per face a box, 68 points, an alignment onto the template, N probabilities; no tensor leaks", async () => {
  const img = await decodeImage(fx("group.jpg"));
  const before = liveTensors();
  const faces = pipe.analyze(img);
  assert.equal(liveTensors(), before);
  assert.equal(faces.length, 4);
  for (const f of faces) {
    assert.equal(f.landmarks.length, 136);
    assert.equal(f.probabilities.length, BP4D_AUS.length);
    assert.ok(f.probabilities.every((p) => p > 0 && p < 1));
    // The fitted transform brings the eyes and nose within a few pixels of the template's.
    const mapped = applyAffine(f.alignment, f.landmarks);
    let err = 0;
    for (const i of ALIGN_TEMPLATE_V1.indices) err += Math.hypot(mapped[2 * i] - ALIGN_TEMPLATE_V1.points[2 * i], mapped[2 * i + 1] - ALIGN_TEMPLATE_V1.points[2 * i + 1]);
    assert.ok(err / ALIGN_TEMPLATE_V1.indices.length < 12, `mean residual ${err / ALIGN_TEMPLATE_V1.indices.length}`);
  }
  // Given boxes skip the detector and keep their order (batch size changes kernels: float tolerance).
  const again = pipe.analyze(img, [faces[2].box, faces[0].box]);
  const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => Array.from(a).every((v, i) => Math.abs(v - b[i]) < tol);
  assert.ok(near(again[0].landmarks, faces[2].landmarks, 1e-3));
  assert.ok(near(again[1].probabilities, faces[0].probabilities, 1e-5));
  assert.ok(!near(again[0].landmarks, faces[0].landmarks, 1));
  assert.deepEqual(pipe.analyze({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) }), []);
});

test("FacePipeline aligns on the 68 landmarks, or on YuNet's 5 points when the landmarks disagree with them", async () => {
  const img = await decodeImage(fx("group.jpg"));
  const faces = pipe.analyze(img);
  assert.equal(pipe.detector.options.detector, "yunet");
  assert.ok(faces.every((f) => f.alignedOn === "landmarks68" && f.box.points?.length === 10));
  // The same box with its 5 points moved a face-width to the side: the landmarks (from the box's
  // crop) no longer agree, so the alignment comes from the given points.
  const box = faces[0].box;
  const moved = { ...box, points: box.points!.map((v, i) => (i % 2 === 0 ? v + box.width : v)) };
  const [f] = pipe.analyze(img, [moved]);
  assert.equal(f.alignedOn, "points5");
  const want = alignmentFor5(moved.points);
  f.alignment.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-9));
  // Boxes without points (the SSD's, followed boxes) align on the landmarks.
  const [g] = pipe.analyze(img, [{ x: box.x, y: box.y, width: box.width, height: box.height, score: box.score }]);
  assert.equal(g.alignedOn, "landmarks68");
});

test("followBox moves the box with the landmarks' centroid and scales it with their spread", () => {
  const lm = Float32Array.from({ length: 136 }, (_, i) => (i % 2 ? 100 : 50) + ((i * 13) % 20));
  const moved = lm.map((v, i) => (i % 2 ? 2 * (v - 100) + 100 + 7 : 2 * (v - 50) + 50 - 3));
  const box = { x: 40, y: 90, width: 30, height: 40, score: 0.9 };
  const b = followBox(box, lm, lm);
  assert.deepEqual([b.x, b.y, b.width, b.height], [40, 90, 30, 40]);
  const c = followBox(box, lm, moved);
  assert.ok(Math.abs(c.width - 60) < 1e-3 && Math.abs(c.height - 80) < 1e-3);
  assert.equal(c.score, 0.9);
});

test("mirrorAverage: a photo and its mirror get the same AU probabilities (the plain pipeline does not)", async () => {
  const img = await decodeImage(fx("group.jpg"));
  const mirrored = mirrorImage(img);
  const sym = new FacePipeline(model, { mirrorAverage: true });
  try {
    const worst = (p: FacePipeline) => {
      const a = p.analyze(img), b = p.analyze(mirrored);
      assert.equal(a.length, 4);
      assert.equal(b.length, a.length);
      let w = 0;
      for (const fa of a) {
        const cx = fa.box.x + fa.box.width / 2;
        const fb = b.find((q) => Math.abs(img.width - (q.box.x + q.box.width / 2) - cx) < fa.box.width / 2);
        assert.ok(fb, "every face is found in the mirror");
        fa.probabilities.forEach((v, k) => { w = Math.max(w, Math.abs(v - fb.probabilities[k])); });
      }
      return w;
    };
    const before = liveTensors();
    const symmetric = worst(sym);
    assert.equal(liveTensors(), before);
    const plain = worst(pipe);
    assert.ok(symmetric < 1e-5, `mirrorAverage: largest difference ${symmetric}`);
    assert.ok(plain > 1e-3, `plain: largest difference ${plain} (the check must be able to fail)`);
    // Given boxes: the faces of the image and of the mirror image at the mirrored boxes, averaged.
    const boxes = sym.analyze(img).map((f) => f.box);
    const own = pipe.analyze(img, boxes), other = pipe.analyze(mirrored, boxes.map((b) => mirrorFaceBox(b, img.width)));
    const given = sym.analyze(img, boxes);
    given.forEach((f, i) => f.probabilities.forEach((v, k) => assert.ok(Math.abs(v - (own[i].probabilities[k] + other[i].probabilities[k]) / 2) < 1e-5)));
  } finally {
    sym.dispose();
  }
});
