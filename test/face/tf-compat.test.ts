import { test } from "node:test";
import assert from "node:assert/strict";
import { conv2d, fromArray, liveTensors, manualSeed, mkldnnAvailable, pad, randn, tidy } from "../../src/tensor/index.ts";
import { fromFrozenLayout, toFrozenLayout, type FrozenLayout } from "../../src/nn/index.ts";
import { legacyResizeInSquare, samePadding, TfSameConv2d } from "../../src/face/tf-compat.ts";

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
    // The same blend order as TF, in float32 here and float64 in tfResize: rounding apart only.
    assert.ok(maxErr < 1e-5, `case ${[h, w, square, offX, offY, out]}: max error ${maxErr}`);
  }
  assert.equal(liveTensors(), before);
});

test("TfSameConv2d equals TF 'same' (explicit pad, odd pixel after) for odd/even/rectangular sizes, strides, depthwise, every layout", () => {
  manualSeed(5);
  const layouts: FrozenLayout[] = mkldnnAvailable() ? ["mkldnn", "channels_last"] : ["channels_last"];
  for (const layout of layouts) {
    for (const [k, stride, cin, cout, groups] of [[3, 2, 4, 6, 1], [3, 1, 4, 4, 4], [3, 2, 6, 6, 6], [1, 1, 5, 3, 1], [1, 2, 4, 4, 1]]) {
      const conv = new TfSameConv2d(randn([cout, cin / groups, k, k]), randn([cout]), stride, groups, layout, 8);
      for (const [h, w] of [[8, 8], [7, 7], [8, 7], [2, 3]]) {
        tidy(() => {
          const x = randn([2, cin, h, w]);
          const [t, b] = samePadding(h, k, stride), [l, r] = samePadding(w, k, stride);
          const ref = conv2d(pad(x, [l, r, t, b]), conv["weight"], conv["bias"], { stride, groups });
          const y = fromFrozenLayout(conv.forward(toFrozenLayout(x, layout)), layout);
          assert.deepEqual(y.shape, [2, cout, Math.ceil(h / stride), Math.ceil(w / stride)]);
          const d = y.sub(ref).abs().max().item();
          assert.ok(d < 1e-4, `${layout} k${k} s${stride} g${groups} ${h}x${w}: ${d}`);
        });
      }
      conv.dispose();
    }
  }
});

test("TfSameConv2d prepares the variant for its net's input size up front, others on first use, and frees them all", () => {
  manualSeed(6);
  const before = liveTensors();
  const conv = new TfSameConv2d(randn([4, 4, 3, 3]), randn([4]), 2, 1, "channels_last", 8);
  const prepared = liveTensors();
  tidy(() => { conv.forward(randn([1, 4, 8, 8]).contiguous("channels_last")); });
  assert.equal(liveTensors(), prepared, "the 8x8 kernel was ready");
  tidy(() => { conv.forward(randn([1, 4, 7, 7]).contiguous("channels_last")); });
  assert.ok(liveTensors() > prepared, "7x7 needs the symmetric-padding variant");
  conv.dispose();
  assert.equal(liveTensors(), before);
  tidy(() => assert.throws(() => conv.forward(randn([1, 4, 8, 8])), /TfSameConv2d: used after dispose/));
});
