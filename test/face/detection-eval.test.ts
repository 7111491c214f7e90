import { test } from "node:test";
import assert from "node:assert/strict";
import { DetectionTally, matchDetections } from "../../src/face/detection-eval.ts";

const box = (x: number, y: number, w: number, h: number, score = 1) => ({ x, y, width: w, height: h, score });

test("matchDetections: one to one at IoU >= 0.5, best score first, the rest are false faces", () => {
  const truth = [box(0, 0, 10, 10), box(100, 0, 10, 10)];
  // Two detections on the first face: the better-scoring one takes it, the other is a false face.
  const m = matchDetections(truth, [box(1, 0, 10, 10, 0.6), box(0, 0, 10, 10, 0.9), box(300, 300, 5, 5, 0.7)]);
  assert.equal(m.found, 1);
  assert.equal(m.missed, 1);
  assert.equal(m.falsePositives, 2);
  assert.deepEqual(m.ious, [1]);
  // IoU exactly 0.5 matches (x-shift by a third of the width: overlap 2/3, union 4/3), below does not.
  assert.equal(matchDetections([box(0, 0, 12, 10)], [box(4, 0, 12, 10)]).found, 1);
  assert.equal(matchDetections([box(0, 0, 12, 10)], [box(4.1, 0, 12, 10)]).found, 0);
  // A detection takes the true box it overlaps most, leaving the other for the next detection.
  const two = matchDetections([box(0, 0, 10, 10), box(2, 0, 10, 10)], [box(2, 0, 10, 10, 0.9), box(0, 0, 10, 10, 0.8)]);
  assert.deepEqual([two.found, two.falsePositives, two.ious], [2, 0, [1, 1]]);
  assert.deepEqual(matchDetections([], []), { found: 0, missed: 0, falsePositives: 0, ious: [] });
  assert.throws(() => matchDetections(truth, [], 0), /minIou must be in \(0, 1\]/);
});

test("DetectionTally: recall, false faces per 100 images and mean IoU over images", () => {
  const t = new DetectionTally();
  assert.ok(Number.isNaN(t.recall) && Number.isNaN(t.falsePer100) && Number.isNaN(t.meanIou));
  t.add({ found: 1, missed: 1, falsePositives: 0, ious: [0.8] });
  t.add({ found: 1, missed: 0, falsePositives: 1, ious: [0.6] });
  t.add({ found: 0, missed: 0, falsePositives: 0, ious: [] });
  t.add({ found: 0, missed: 0, falsePositives: 0, ious: [] });
  assert.deepEqual([t.images, t.faces, t.found, t.falsePositives], [4, 3, 2, 1]);
  assert.equal(t.recall, 2 / 3);
  assert.equal(t.falsePer100, 25);
  assert.ok(Math.abs(t.meanIou - 0.7) < 1e-12);
});
