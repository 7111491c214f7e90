import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeYunet, padToStride, yunetFaces, yunetInputGeometry, type YunetStrideOutput } from "../../../src/face/geometry/yunet-decode.ts";

/** Empty outputs (all scores 0) for a w x h input. */
function blank(w: number, h: number): YunetStrideOutput[] {
  return [8, 16, 32].map((s) => {
    const n = (w / s) * (h / s);
    return { cls: new Float32Array(n), obj: new Float32Array(n), bbox: new Float32Array(4 * n), kps: new Float32Array(10 * n) };
  });
}

/** Puts one prior's raw values into stride k's outputs at grid (col, row). */
function setPrior(o: YunetStrideOutput[], k: number, w: number, col: number, row: number, cls: number, obj: number, bbox: number[], kps: number[]): void {
  const s = [8, 16, 32][k];
  const i = row * (w / s) + col;
  o[k].cls[i] = cls;
  o[k].obj[i] = obj;
  o[k].bbox.set(bbox, 4 * i);
  o[k].kps.set(kps, 10 * i);
}

test("decodeYunet: centre (col + dx) s, size exp(.) s, points (col + k) s, score sqrt(cls obj)", () => {
  const o = blank(64, 32);
  // Stride 16 grid is 4 x 2; prior at col 3, row 1.
  setPrior(o, 1, 64, 3, 1, 0.81, 0.64, [0.5, 0.25, Math.log(2), 0], [0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1]);
  const faces = decodeYunet(o, 64, 32, 0.5);
  assert.equal(faces.length, 1);
  const f = faces[0];
  assert.ok(Math.abs(f.score - Math.sqrt(0.81 * 0.64)) < 1e-6);
  // centre x = (3 + 0.5) * 16 = 56, y = (1 + 0.25) * 16 = 20; w = 32, h = 16.
  assert.ok(Math.abs(f.x - 40) < 1e-4 && Math.abs(f.y - 12) < 1e-4);
  assert.ok(Math.abs(f.width - 32) < 1e-4 && Math.abs(f.height - 16) < 1e-4);
  assert.deepEqual(Array.from(f.points), [48, 16, 64, 16, 56, 24, 48, 32, 64, 32]);
});

test("decodeYunet: threshold, clamping of out-of-range scores, every stride enumerated row-major", () => {
  const o = blank(32, 64);
  setPrior(o, 0, 32, 1, 5, 1, 1, [0, 0, 0, 0], new Array(10).fill(0)); // stride 8: (8, 40), 8x8 box
  setPrior(o, 2, 32, 0, 1, 1.2, 0.25, [0, 0, 0, 0], new Array(10).fill(0)); // cls clamped to 1: score 0.5
  setPrior(o, 1, 32, 1, 3, 0.1, 0.1, [0, 0, 0, 0], new Array(10).fill(0)); // score 0.1: dropped
  const faces = decodeYunet(o, 32, 64, 0.3);
  assert.equal(faces.length, 2);
  assert.deepEqual([faces[0].x, faces[0].y, faces[0].width], [4, 36, 8]);
  assert.deepEqual([faces[1].x, faces[1].y, faces[1].width, faces[1].score], [-16, 16, 32, 0.5]);
});

test("decodeYunet: clear errors for a bad size or wrong output lengths", () => {
  assert.throws(() => decodeYunet(blank(64, 64), 60, 64, 0.5), /multiples of 32, got 60x64/);
  assert.throws(() => decodeYunet(blank(64, 64).slice(0, 2), 64, 64, 0.5), /expected 3 stride outputs/);
  assert.throws(() => decodeYunet(blank(64, 32), 64, 64, 0.5), /stride 8 cls has 32 values, expected 64 for a 64x64 input/);
});

test("yunetFaces: NMS, scale back to the image, boxes clipped, points scaled", () => {
  const o = blank(64, 64);
  const none = new Array(10).fill(0);
  setPrior(o, 1, 64, 1, 1, 0.9, 0.9, [0, 0, Math.log(2), Math.log(2)], none); // centre (16,16), 32x32
  setPrior(o, 1, 64, 1, 1, 0.9, 0.9, [0, 0, Math.log(2), Math.log(2)], none);
  setPrior(o, 0, 64, 2, 2, 0.8, 0.8, [0, 0, Math.log(4), Math.log(4)], none); // centre (16,16), 32x32, score 0.8: suppressed
  setPrior(o, 2, 64, 1, 1, 0.7, 0.7, [0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]); // centre (48,48), 32x32
  const faces = yunetFaces(o, 64, 64, { scoreThreshold: 0.5, nmsThreshold: 0.3, maxFaces: 10, scale: 2, imageWidth: 100, imageHeight: 100 });
  assert.equal(faces.length, 2);
  // exp(float32 log 2) is 2 to float32 precision.
  const near = (got: number[], want: number[]) => got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${got} vs ${want}`));
  near([faces[0].x, faces[0].y, faces[0].width, faces[0].height, faces[0].score], [0, 0, 64, 64, 0.9]);
  // Second: (32..64) * 2 = 64..128, clipped to 100; its first point (1 + 0.5) * 32 * 2 = 96.
  near([faces[1].x, faces[1].y, faces[1].width, faces[1].height], [64, 64, 36, 36]);
  near(Array.from(faces[1].points.slice(0, 2)), [96, 96]);
  assert.equal(yunetFaces(o, 64, 64, { scoreThreshold: 0.5, nmsThreshold: 0.3, maxFaces: 1 }).length, 1);
});

test("padToStride and yunetInputGeometry: multiples of 32, only large images scaled", () => {
  assert.deepEqual([padToStride(1), padToStride(32), padToStride(33), padToStride(640)], [32, 32, 64, 640]);
  assert.deepEqual(yunetInputGeometry(100, 50, 640), { scale: 1, width: 100, height: 50, inputWidth: 128, inputHeight: 64 });
  assert.deepEqual(yunetInputGeometry(1280, 720, 640), { scale: 0.5, width: 640, height: 360, inputWidth: 640, inputHeight: 384 });
  assert.throws(() => yunetInputGeometry(0, 5, 640), /at least 1x1, got 0x5/);
});
