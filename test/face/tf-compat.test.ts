import { test } from "node:test";
import assert from "node:assert/strict";
import { fromArray, liveTensors } from "../../src/tensor/index.ts";
import { legacyResizeInSquare, samePadding } from "../../src/face/tf-compat.ts";

test("samePadding puts TF's odd pixel after", () => {
  assert.deepEqual(samePadding(512, 3, 2), [0, 1]);
  assert.deepEqual(samePadding(7, 3, 2), [1, 1]);
  assert.deepEqual(samePadding(32, 3, 1), [1, 1]);
  assert.deepEqual(samePadding(16, 1, 1), [0, 0]);
  assert.deepEqual(samePadding(2, 3, 2), [0, 1]);
});

/** TF's resizeBilinear (alignCorners=false, halfPixelCenters=false) on the zero-padded square, in plain JS. */
function tfResize(img: Float32Array, h: number, w: number, square: number, offX: number, offY: number, out: number): Float32Array {
  const sq = new Float32Array(square * square);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sq[(y + offY) * square + x + offX] = img[y * w + x];
  const scale = Math.fround(square / out);
  const res = new Float32Array(out * out);
  for (let i = 0; i < out; i++) {
    const sy = i * scale, y0 = Math.floor(sy), y1 = Math.min(y0 + 1, square - 1), fy = sy - y0;
    for (let j = 0; j < out; j++) {
      const sx = j * scale, x0 = Math.floor(sx), x1 = Math.min(x0 + 1, square - 1), fx = sx - x0;
      const top = sq[y0 * square + x0] + (sq[y0 * square + x1] - sq[y0 * square + x0]) * fx;
      const bot = sq[y1 * square + x0] + (sq[y1 * square + x1] - sq[y1 * square + x0]) * fx;
      res[i * out + j] = top + (bot - top) * fy;
    }
  }
  return res;
}

test("legacyResizeInSquare matches TF's legacy bilinear on the padded square (up, down, centred)", () => {
  const before = liveTensors();
  const cases: [number, number, number, number, number, number][] = [
    // h, w, square, offX, offY, out
    [5, 8, 8, 0, 0, 12], // pad bottom, upsample (edge clamp inside the image)
    [13, 9, 13, 0, 0, 7], // pad right, downsample
    [6, 10, 10, 0, 2, 16], // centred vertically
    [11, 4, 11, 3, 0, 5], // centred horizontally
    [9, 9, 9, 0, 0, 20], // square, no padding
  ];
  for (const [h, w, square, offX, offY, out] of cases) {
    const img = Float32Array.from({ length: h * w }, (_, i) => ((i * 37) % 101) / 7);
    const want = tfResize(img, h, w, square, offX, offY, out);
    const t = fromArray(img, [1, 1, h, w]);
    const r = legacyResizeInSquare(t, square, offX, offY, out);
    const got = r.data<"float32">();
    t.dispose();
    r.dispose();
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    assert.ok(maxErr < 1e-3, `case ${[h, w, square, offX, offY, out]}: max error ${maxErr}`);
  }
  assert.equal(liveTensors(), before);
});
