import assert from "node:assert/strict";
import { test } from "node:test";
import { mirrorFaceBox, symmetricFaceBoxes } from "../../../src/face/geometry/mirror.ts";

const W = 200;
const box = (x: number, y: number, w: number, h: number, score: number, points?: number[]) => ({ x, y, width: w, height: h, score, ...(points ? { points: Float32Array.from(points) } : {}) });

test("mirrorFaceBox: the box and its 5 points as they appear in the mirrored image (eyes and mouth corners swap)", () => {
  const b = box(10, 20, 50, 60, 0.9, [20, 40, 45, 40, 32, 55, 22, 70, 43, 70]);
  const m = mirrorFaceBox(b, W);
  assert.equal(m.x, 140);
  assert.equal(m.width, 50);
  assert.equal(m.y, 20);
  // subject's right eye (20, 40) -> the mirror's left-eye slot at x = 199 - 20
  assert.deepEqual(Array.from(m.points!), [199 - 45, 40, 199 - 20, 40, 199 - 32, 55, 199 - 43, 70, 199 - 22, 70]);
  const back = mirrorFaceBox(m, W);
  assert.equal(back.x, b.x);
  assert.deepEqual(Array.from(back.points!), Array.from(b.points!));
});

test("symmetricFaceBoxes: overlapping pairs averaged, the rest kept; the mirror image gets the mirror of the set", () => {
  const own = [box(10, 20, 50, 60, 0.9), box(120, 30, 40, 40, 0.7)];
  // The mirror image's detections: the first face slightly off, the second missed, one extra face.
  const mirrored = [box(W - 10 - 50 + 2, 22, 52, 58, 0.8), box(5, 100, 30, 30, 0.6)];
  const s = symmetricFaceBoxes(own, mirrored, W);
  assert.equal(s.length, 3);
  assert.deepEqual([s[0].x, s[0].y, s[0].width, s[0].height], [(10 + (W - (W - 10 - 50 + 2) - 52)) / 2, 21, 51, 59]);
  assert.ok(Math.abs(s[0].score - 0.85) < 1e-12);
  assert.equal(s[1].x, 120); // kept
  assert.equal(s[2].x, W - 5 - 30); // the mirror's extra face, brought back
  const t = symmetricFaceBoxes(mirrored, own, W).map((b) => mirrorFaceBox(b, W));
  const key = (b: { x: number; y: number }) => `${b.x.toFixed(6)},${b.y.toFixed(6)}`;
  assert.deepEqual(t.map(key).sort(), s.map(key).sort());
  assert.deepEqual(symmetricFaceBoxes([], [], W), []);
});
