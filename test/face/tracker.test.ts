import { test } from "node:test";
import assert from "node:assert/strict";
import { iou, IouTracker } from "../../src/face/tracker.ts";

const box = (x: number, y: number, w = 50, h = 50) => ({ x, y, width: w, height: h });

test("iou: identical 1, disjoint 0, half overlap 1/3", () => {
  assert.equal(iou(box(0, 0), box(0, 0)), 1);
  assert.equal(iou(box(0, 0), box(100, 0)), 0);
  assert.ok(Math.abs(iou(box(0, 0), box(25, 0)) - 1 / 3) < 1e-12);
  assert.equal(iou(box(0, 0, 0, 0), box(0, 0, 0, 0)), 0);
});

test("IouTracker keeps ids through motion and order changes, gives new faces new ids, forgets after maxAge", () => {
  const t = new IouTracker(0.3, 2);
  assert.deepEqual(t.update(0, [box(0, 0), box(200, 0)]), [0, 1]);
  // Both move a little and arrive in the other order.
  assert.deepEqual(t.update(1, [box(210, 5), box(8, 3)]), [1, 0]);
  // A third face appears; face 0 is missed this frame.
  assert.deepEqual(t.update(2, [box(215, 5), box(400, 400)]), [1, 2]);
  // Face 0 returns within maxAge: same id.
  assert.deepEqual(t.update(3, [box(10, 4)]), [0]);
  // Face 2 unseen for more than 2 frames: a new id when it comes back.
  assert.deepEqual(t.update(6, [box(400, 400)]), [3]);
});
