// Frozen inference convs: batch norm folding is exact to float rounding, both layouts give the
// eval-mode Conv2d + BatchNorm2d output, and misuse is a clear error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchNorm2d, Conv2d, FrozenConv2d, foldBatchNorm, fromFrozenLayout, toFrozenLayout, type FrozenLayout } from "../../src/nn/index.ts";
import { conv2d, liveTensors, manualSeed, mkldnnAvailable, noGrad, randn, tidy, type Tensor } from "../../src/tensor/index.ts";

const maxDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item());
const layouts: FrozenLayout[] = mkldnnAvailable() ? ["mkldnn", "channels_last"] : ["channels_last"];

/** A BatchNorm2d in eval mode with statistics and affine terms far from the defaults. */
function trainedBn(c: number, affine = true): BatchNorm2d {
  const bn = new BatchNorm2d(c, { affine, eps: 1e-3 });
  noGrad(() => tidy(() => {
    bn.running_mean!.copy_(randn([c]));
    bn.running_var!.copy_(randn([c]).abs().add(0.2));
    if (affine) {
      bn.weight!.copy_(randn([c]));
      bn.bias!.copy_(randn([c]));
    }
  }));
  return bn.eval();
}

test("foldBatchNorm: conv then eval-mode batch norm equals one conv with the folded kernel and bias", () => {
  manualSeed(0);
  for (const [bias, affine] of [[true, true], [false, true], [false, false]]) {
    const conv = new Conv2d(6, 10, 3, { padding: 1, bias });
    const bn = trainedBn(10, affine);
    tidy(() => {
      const x = randn([2, 6, 9, 7]);
      const ref = noGrad(() => bn.forward(conv.forward(x)));
      const f = foldBatchNorm(conv.weight, conv.bias, bn);
      const y = noGrad(() => conv2d(x, f.weight, f.bias, { padding: 1 }));
      assert.ok(maxDiff(y, ref) < 1e-4, `bias ${bias}, affine ${affine}: ${maxDiff(y, ref)}`);
    });
    conv.dispose();
    bn.dispose();
  }
});

test("FrozenConv2d.from reproduces Conv2d + BatchNorm2d (eval) in every layout; conv alone too", () => {
  manualSeed(1);
  const conv = new Conv2d(8, 16, 3, { stride: 2, padding: 1, groups: 2 });
  const bn = trainedBn(16);
  const x = randn([3, 8, 15, 12]);
  const ref = noGrad(() => bn.forward(conv.forward(x)));
  const refConv = noGrad(() => conv.forward(x));
  for (const layout of layouts) {
    for (const [frozen, expected] of [[FrozenConv2d.from(conv, bn, layout), ref], [FrozenConv2d.from(conv, null, layout), refConv]] as const) {
      const before = liveTensors();
      tidy(() => {
        const y = fromFrozenLayout(frozen.forward(toFrozenLayout(x, layout)), layout);
        assert.deepEqual(y.shape, [3, 16, 8, 6]);
        assert.ok(maxDiff(y, expected) < 1e-4, `${layout}: ${maxDiff(y, expected)}`);
      });
      assert.equal(liveTensors(), before, "forward leaves nothing behind");
      frozen.dispose();
      assert.throws(() => frozen.forward(x), /FrozenConv2d: used after dispose/);
    }
  }
  for (const t of [x, ref, refConv]) t.dispose();
  conv.dispose();
  bn.dispose();
});

test("FrozenConv2d (mkldnn) names the layout it needs; a frozen conv survives the tidy it was built in", { skip: mkldnnAvailable() ? false : "no oneDNN" }, () => {
  manualSeed(2);
  const conv = new Conv2d(4, 4, 1);
  const frozen = tidy(() => FrozenConv2d.from(conv, null, "mkldnn"));
  const x = randn([1, 4, 5, 5]);
  assert.throws(() => frozen.forward(x), /must be in the mkldnn layout \(toFrozenLayout\)/);
  tidy(() => assert.deepEqual(frozen.forward(x.toMkldnn()).shape, [1, 4, 5, 5]));
  frozen.dispose();
  x.dispose();
  conv.dispose();
});
