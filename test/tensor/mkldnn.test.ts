// oneDNN (MKLDNN) layout and convolution: the frozen-inference path equals conv2d, and bad
// arguments are errors (oneDNN itself would divide by zero on a mis-sized padding list).
import assert from "node:assert/strict";
import { test } from "node:test";
import { conv2d, liveTensors, manualSeed, mkldnnAvailable, mkldnnConv2d, mkldnnConv2dWeight, randn, runOp, tidy, type Conv2dOptions, type Tensor } from "../../src/tensor/index.ts";

const skip = mkldnnAvailable() ? false : "this libtorch has no oneDNN";
const maxDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item());

test("toMkldnn / toDense round-trip; isMkldnn tells the layouts apart", { skip }, () => {
  manualSeed(0);
  tidy(() => {
    const x = randn([2, 5, 7, 3]);
    const m = x.toMkldnn();
    assert.equal(m.isMkldnn, true);
    assert.equal(x.isMkldnn, false);
    assert.deepEqual(m.shape, [2, 5, 7, 3]);
    assert.equal(maxDiff(m.toDense(), x), 0);
  });
});

test("mkldnnConv2d equals conv2d: strides, paddings, dilation, groups, depthwise; oneDNN and strided layouts", { skip }, () => {
  manualSeed(1);
  const cases: { cin: number; cout: number; k: [number, number]; o: Conv2dOptions; hw: [number, number] }[] = [
    { cin: 3, cout: 8, k: [3, 3], o: { padding: 1 }, hw: [9, 11] },
    { cin: 8, cout: 16, k: [3, 3], o: { stride: 2, padding: 1 }, hw: [16, 15] },
    { cin: 8, cout: 8, k: [3, 3], o: { padding: 1, groups: 8 }, hw: [12, 12] }, // depthwise
    { cin: 8, cout: 12, k: [3, 3], o: { padding: [1, 2], groups: 4, dilation: [1, 2] }, hw: [10, 13] },
    { cin: 16, cout: 4, k: [1, 1], o: {}, hw: [5, 6] },
    { cin: 4, cout: 6, k: [4, 4], o: { stride: 2, padding: 1 }, hw: [8, 8] },
  ];
  for (const { cin, cout, k, o, hw } of cases) {
    tidy(() => {
      const x = randn([2, cin, ...hw]);
      const w = randn([cout, cin / (o.groups ?? 1), ...k]);
      const b = randn([cout]);
      const ref = conv2d(x, w, b, o);
      const viaOneDnn = mkldnnConv2d(x.toMkldnn(), mkldnnConv2dWeight(w, o), b.toMkldnn(), o);
      assert.equal(viaOneDnn.isMkldnn, true);
      assert.deepEqual(viaOneDnn.shape, ref.shape);
      assert.ok(maxDiff(viaOneDnn.toDense(), ref) < 1e-4, `oneDNN layout ${JSON.stringify(o)}`);
      const strided = mkldnnConv2d(x.contiguous("channels_last"), w, b, o);
      assert.equal(strided.isMkldnn, false);
      assert.ok(maxDiff(strided, ref) < 1e-4, `strided ${JSON.stringify(o)}`);
    });
  }
});

test("oneDNN ops: mis-sized padding/stride lists and wrong ranks are errors, not crashes; nothing leaks", { skip }, () => {
  manualSeed(2);
  const before = liveTensors();
  tidy(() => {
    const x = randn([1, 4, 8, 8]).toMkldnn();
    const w = mkldnnConv2dWeight(randn([4, 4, 3, 3]), { padding: 1 });
    assert.throws(() => runOp("mkldnn_convolution", x, w, null, [1, 1, 1], [1, 1], [1, 1], 1), /mkldnn_convolution: argument 3 must be one or two sizes/);
    assert.throws(() => runOp("mkldnn_convolution", x, w, null, [1, 1], [], [1, 1], 1), /argument 4 must be one or two sizes/);
    assert.throws(() => runOp("mkldnn_reorder_conv2d_weight", randn([4, 4, 3]).toMkldnn(), [1, 1], [1, 1], [1, 1], 1), /a 4-d tensor/);
  });
  assert.equal(liveTensors(), before);
});
