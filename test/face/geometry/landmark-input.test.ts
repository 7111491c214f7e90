import assert from "node:assert/strict";
import { test } from "node:test";
import { LANDMARK68_MIRROR, landmarkCrop, landmarkInput, mirrorLandmarkInput, symmetricLandmarkOutput } from "../../../src/face/geometry/landmark-input.ts";
import { FaceLandmark68Net } from "../../../src/face/landmarks.ts";

/** A seeded 8-bit RGB image (LCG). */
function image(width: number, height: number, seed: number) {
  let s = seed >>> 0;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return { width, height, data };
}

test("landmarkInput equals FaceLandmark68Net.preprocess: tall, wide, clipped and tiny boxes, RGB and RGBA", () => {
  const img = image(150, 130, 5);
  const boxes = [
    { x: 20.4, y: 10.2, width: 40.3, height: 70.9, score: 1 }, // tall: padded left/right
    { x: 60, y: 50, width: 80, height: 33, score: 1 }, // wide: padded top/bottom
    { x: -10, y: 100, width: 60, height: 60, score: 1 }, // leaves the image
    { x: 149.5, y: 3, width: 0.2, height: 0.3, score: 1 }, // under a pixel
  ];
  const net = FaceLandmark68Net.load();
  try {
    const { x, crops } = net.preprocess(img, boxes);
    const want = x.data<"float32">();
    x.dispose();
    assert.deepEqual(crops, boxes.map((b) => landmarkCrop(b, img.width, img.height)));
    const rgba = new Uint8Array(img.width * img.height * 4);
    for (let i = 0; i < img.width * img.height; i++) rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    for (const pixels of [img, { width: img.width, height: img.height, data: rgba }]) {
      const got = landmarkInput(pixels, crops);
      assert.equal(got.length, want.length);
      let m = 0;
      for (let i = 0; i < got.length; i++) m = Math.max(m, Math.abs(got[i] - want[i]));
      assert.ok(m < 1e-6, `max diff ${m}`);
    }
  } finally {
    net.dispose();
  }
});

test("LANDMARK68_MIRROR swaps left and right parts and is its own inverse", () => {
  assert.equal(LANDMARK68_MIRROR.length, 68);
  for (let i = 0; i < 68; i++) assert.equal(LANDMARK68_MIRROR[LANDMARK68_MIRROR[i]], i);
  // jaw ends, outer eye corners, mouth corners swap; nose bridge, nose tip, lip midpoints stay.
  for (const [a, b] of [[0, 16], [8, 8], [36, 45], [39, 42], [48, 54], [30, 30], [33, 33], [51, 51], [57, 57], [62, 62], [66, 66], [17, 26]]) assert.equal(LANDMARK68_MIRROR[a], b);
  assert.equal(new Set(LANDMARK68_MIRROR).size, 68);
});

test("mirrorLandmarkInput reverses every row; symmetricLandmarkOutput maps mirrored outputs back", () => {
  const n = 112;
  const x = Float32Array.from({ length: 2 * 3 * n * n }, (_, i) => (i * 7919) % 1009);
  const m = mirrorLandmarkInput(x);
  assert.equal(m[0], x[n - 1]);
  assert.equal(m[5 * n * n + 3 * n + 10], x[5 * n * n + 3 * n + n - 11]);
  assert.deepEqual(mirrorLandmarkInput(m), x);
  assert.throws(() => mirrorLandmarkInput(new Float32Array(10)), /whole number/);
  // A face's outputs and the outputs its exact mirror image would give: the average is the face's own.
  const raw = Float32Array.from({ length: 2 * 136 }, (_, i) => ((i * 37) % 100) / 100);
  const mirrored = new Float32Array(raw.length);
  for (let f = 0; f < 2; f++) {
    for (let i = 0; i < 68; i++) {
      const j = LANDMARK68_MIRROR[i];
      mirrored[f * 136 + 2 * j] = (n - 1) / n - raw[f * 136 + 2 * i];
      mirrored[f * 136 + 2 * j + 1] = raw[f * 136 + 2 * i + 1];
    }
  }
  const s = symmetricLandmarkOutput(raw, mirrored);
  for (let i = 0; i < raw.length; i++) assert.ok(Math.abs(s[i] - raw[i]) < 1e-6, `value ${i}: ${s[i]} vs ${raw[i]}`);
  // Outputs that disagree are averaged: a point 0.1 right in the mirror's output moves 0.05 left.
  const shifted = mirrored.slice();
  shifted[2 * 45] += 0.1; // the mirror's point 45 is the face's point 36
  const t = symmetricLandmarkOutput(raw, shifted);
  assert.ok(Math.abs(t[2 * 36] - (raw[2 * 36] - 0.05)) < 1e-6);
  assert.throws(() => symmetricLandmarkOutput(raw, raw.subarray(0, 136)), /two \[B\*136\]/);
});
