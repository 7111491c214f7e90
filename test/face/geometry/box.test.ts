import { test } from "node:test";
import assert from "node:assert/strict";
import { iou, nms, scaleRect } from "../../../src/face/geometry/box.ts";

const b = (x: number, y: number, score = 1, w = 10, h = 10) => ({ x, y, width: w, height: h, score });

test("iou: identical 1, disjoint 0, touching 0, half-width shift 1/3, empty 0", () => {
  assert.equal(iou(b(0, 0), b(0, 0)), 1);
  assert.equal(iou(b(0, 0), b(20, 0)), 0);
  assert.equal(iou(b(0, 0), b(10, 0)), 0);
  assert.ok(Math.abs(iou(b(0, 0), b(5, 0)) - 1 / 3) < 1e-12);
  assert.equal(iou(b(0, 0, 1, 0, 0), b(0, 0, 1, 0, 0)), 0);
  // A box inside another: inter / union = 25 / 100.
  assert.ok(Math.abs(iou(b(0, 0), b(2, 2, 1, 5, 5)) - 0.25) < 1e-12);
});

test("nms keeps the best of each overlapping cluster, best first, and honours max and minScore", () => {
  const boxes = [b(0, 0, 0.7), b(1, 0, 0.9), b(50, 50, 0.8), b(51, 51, 0.6), b(100, 0, 0.2)];
  assert.deepEqual(nms(boxes, 0.3), [1, 2, 4]);
  assert.deepEqual(nms(boxes, 0.3, 2), [1, 2]);
  assert.deepEqual(nms(boxes, 0.3, Infinity, 0.5), [1, 2]);
  // IoU of boxes 0 and 1 is 9/11 = 0.818: a threshold above it keeps both.
  assert.deepEqual(nms(boxes, 0.85, Infinity, 0.65), [1, 2, 0]);
  // Equal scores: input order breaks the tie.
  assert.deepEqual(nms([b(0, 0, 0.5), b(1, 0, 0.5)], 0.3), [0]);
  assert.throws(() => nms(boxes, 1.5), /iouThreshold must be in \[0, 1\], got 1.5/);
});

test("scaleRect scales position and size, keeps other fields", () => {
  assert.deepEqual(scaleRect(b(2, 4, 0.5, 6, 8), 0.5), { x: 1, y: 2, width: 3, height: 4, score: 0.5 });
});
