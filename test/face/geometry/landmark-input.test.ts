import assert from "node:assert/strict";
import { test } from "node:test";
import { landmarkCrop, landmarkInput } from "../../../src/face/geometry/landmark-input.ts";
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
