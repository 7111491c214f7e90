// FaceFollower: the detector runs every k frames (and whenever nothing is followed), followed
// boxes stay on the face between detections, ids are stable, and "auto" maps fps to k.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { BP4D_AUS, LinearProbeAuModel } from "../../src/face/au-model.ts";
import { autoDetectEvery, FaceFollower } from "../../src/face/follow.ts";
import { FacePipeline } from "../../src/face/pipeline.ts";
import { iou } from "../../src/face/tracker.ts";
import { manualSeed } from "../../src/tensor/index.ts";
import { movingFaceFrames } from "./helpers.ts";

manualSeed(0);
const model = new LinearProbeAuModel("resnet_tiny", BP4D_AUS);
const pipe = new FacePipeline(model);
after(() => { pipe.dispose(); model.dispose(); });

test("autoDetectEvery: one detection per 0.2 s of processed video, at least every frame", () => {
  assert.equal(autoDetectEvery(25), 5);
  assert.equal(autoDetectEvery(30), 6);
  assert.equal(autoDetectEvery(29.97), 5);
  assert.equal(autoDetectEvery(10), 2);
  assert.equal(autoDetectEvery(4), 1);
  assert.equal(autoDetectEvery(0), 1);
  assert.equal(autoDetectEvery(Number.NaN), 1);
});

test("FaceFollower: detector every k frames, followed boxes on the face, one stable id; reset starts over", async () => {
  const frames = await movingFaceFrames(7);
  const fresh = frames.map((f) => pipe.detect(f)[0]);
  assert.ok(fresh.every(Boolean), "the detector finds the face in every frame");
  const follower = new FaceFollower(pipe, 3);
  const out = frames.map((f) => follower.next(f));
  assert.deepEqual(out.map((o) => o.detected), [true, false, false, true, false, false, true]);
  out.forEach((o, k) => {
    assert.equal(o.analyses.length, 1, `frame ${k}`);
    assert.deepEqual(o.ids, [0], `frame ${k}: one face, one id`);
    // Followed or detected, the box is where a fresh detection on that frame puts it.
    assert.ok(iou(o.analyses[0].box, fresh[k]) > 0.7, `frame ${k}: IoU ${iou(o.analyses[0].box, fresh[k])}`);
  });
  // The pan moves the face 6 px a frame: a followed box moves with it, not staying put.
  assert.ok(out[2].analyses[0].box.x - out[0].analyses[0].box.x > 6);
  follower.reset();
  const again = follower.next(frames[3]);
  assert.ok(again.detected);
  assert.deepEqual(again.ids, [0]);
  assert.throws(() => new FaceFollower(pipe, 0), /detectEvery must be a whole number >= 1/);
});

test("FaceFollower: with no face followed the detector runs on every frame (a face arriving is found at once)", async () => {
  const blank = { width: 200, height: 150, data: new Uint8Array(200 * 150 * 3).fill(120) };
  const [face] = await movingFaceFrames(1);
  const follower = new FaceFollower(pipe, 10);
  const seq = [blank, blank, face, face];
  const out = seq.map((f) => follower.next(f));
  assert.deepEqual(out.map((o) => o.detected), [true, true, true, false]);
  assert.deepEqual(out.map((o) => o.analyses.length), [0, 0, 1, 1]);
});
