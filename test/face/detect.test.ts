import { after, test } from "node:test";
import assert from "node:assert/strict";
import { SsdMobilenetV1, nonMaxSuppression } from "../../src/face/detect.ts";
import { decodeImage } from "../../src/face/image.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { faceApiReference, fx, loadPadded, synthFaces } from "./helpers.ts";

const det = SsdMobilenetV1.load();
after(() => det.dispose());

test("SSD port reproduces face-api's own detections on real photos (scores, boxes)", async () => {
  const ref = faceApiReference();
  for (const im of ref.images) {
    const img = await decodeImage(fx(im.file.split("/").pop()!));
    const before = liveTensors();
    const faces = det.detect(img, { minConfidence: ref.minConfidence });
    assert.equal(liveTensors(), before, "detect leaves no tensors behind");
    assert.equal(faces.length, im.faces.length, `${im.file}: face count`);
    faces.forEach((f, i) => {
      const r = im.faces[i];
      assert.ok(Math.abs(f.score - r.score) < 2e-3, `${im.file} face ${i}: score ${f.score} vs face-api ${r.score}`);
      const got = [f.x, f.y, f.width, f.height];
      got.forEach((v, k) => assert.ok(Math.abs(v - r.box[k]) < 0.25, `${im.file} face ${i}: box[${k}] ${v} vs face-api ${r.box[k]}`));
    });
  }
});

test("SSD finds the face in SynthAU renders, around the known landmarks", async () => {
  for (const s of synthFaces()) {
    const pad = 96;
    const img = await loadPadded(s.file, pad);
    const faces = det.detect(img);
    assert.equal(faces.length, 1, `${s.file}: one face`);
    const f = faces[0];
    assert.ok(f.score > 0.9, `${s.file}: score ${f.score}`);
    // Eye corners and mouth corners lie inside the box.
    for (const i of [36, 45, 48, 54]) {
      const x = s.landmarks[2 * i] + pad, y = s.landmarks[2 * i + 1] + pad;
      assert.ok(x > f.x && x < f.x + f.width && y > f.y && y < f.y + f.height, `${s.file}: landmark ${i} outside the box`);
    }
  }
});

test("SSD finds nothing on a flat image and on a degenerate 1-pixel image", () => {
  const flat = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
  assert.deepEqual(det.detect(flat), []);
  assert.deepEqual(det.detect({ width: 1, height: 1, data: new Uint8Array(3) }), []);
});

test("nonMaxSuppression keeps the best of overlapping boxes, drops low scores, caps the count", () => {
  // y0,x0,y1,x1
  const boxes = [0, 0, 1, 1, 0, 0.05, 1, 1.05, 2, 2, 3, 3, 0, 0, 0.5, 0.5, 5, 5, 6, 6];
  const scores = [0.9, 0.95, 0.8, 0.7, 0.2];
  assert.deepEqual(nonMaxSuppression(boxes, scores, 10, 0.5, 0.5), [1, 2, 3]);
  assert.deepEqual(nonMaxSuppression(boxes, scores, 2, 0.5, 0.5), [1, 2]);
  assert.deepEqual(nonMaxSuppression(boxes, scores, 10, 0.5, 0.1), [1, 2, 3, 4]);
});
