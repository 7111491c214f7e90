// FrozenResNet (folded batch norms, oneDNN kernels) against torchvision's eval outputs and our
// eager ResNet: same features to float32 rounding, no tensors left per call, all freed on dispose.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { createResNet } from "../../src/models/backbones/resnet.ts";
import { FrozenResNet } from "../../src/models/backbones/resnet-frozen.ts";
import type { FrozenLayout } from "../../src/nn/index.ts";
import { liveTensors, manualSeed, mkldnnAvailable, noGrad, randn, tidy, type Tensor } from "../../src/tensor/index.ts";
import { readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { detFill, detInput, relErr } from "./helpers.ts";

// Module construction draws initial weights; seeded, although detFill overwrites them.
beforeEach(() => manualSeed(0));

const fx = readFixture<Record<string, EncodedTensor>>("models/resnet.json");
const layouts: FrozenLayout[] = mkldnnAvailable() ? ["mkldnn", "channels_last"] : ["channels_last"];
const maxDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item());

test("FrozenResNet(resnet18) reproduces torchvision's eval tokens on the same weights (64x64)", () => {
  const m = createResNet("resnet18");
  detFill(m);
  m.eval();
  const x = detInput([2, 3, 64, 64]);
  for (const layout of layouts) {
    const frozen = new FrozenResNet(m, layout);
    tidy(() => {
      const tok = frozen.forwardTokens(x);
      assert.ok(relErr(tok, fx.tokens_eval) < 1e-4, `${layout}: ${relErr(tok, fx.tokens_eval)}`);
    });
    frozen.dispose();
  }
  x.dispose();
  m.dispose();
});

test("FrozenResNet equals eager eval ResNet (resnet50 bottlenecks, odd sizes, batch 1 and 3) and frees what it holds", () => {
  manualSeed(3);
  const m = createResNet("resnet50", { numClasses: 0 });
  // Batch statistics away from (0, 1), so folding is really exercised.
  noGrad(() => tidy(() => {
    for (const [k, t] of m.stateDict()) {
      if (k.endsWith("running_mean")) t.copy_(randn(t.shape).mul(0.2));
      if (k.endsWith("running_var")) t.copy_(randn(t.shape).abs().add(0.5));
      if (k.endsWith("bn3.weight")) t.copy_(randn(t.shape).mul(0.3)); // torchvision zero-inits none of these here
    }
  }));
  m.eval();
  const baseline = liveTensors();
  for (const layout of layouts) {
    const frozen = new FrozenResNet(m, layout);
    assert.equal(frozen.numFeatures, 2048);
    for (const shape of [[1, 3, 71, 53], [3, 3, 64, 64]]) {
      const x = randn(shape);
      const ref = noGrad(() => m.forwardFeatures(x));
      const before = liveTensors();
      const y = frozen.forwardFeatures(x);
      assert.equal(liveTensors(), before + 1, "only the result is new");
      assert.deepEqual(y.shape, ref.shape);
      const scale = tidy(() => ref.abs().max().item());
      assert.ok(maxDiff(y, ref) / scale < 1e-4, `${layout} [${shape}]: ${maxDiff(y, ref) / scale}`);
      tidy(() => {
        const pooled = frozen.forwardPooled(x);
        assert.deepEqual(pooled.shape, [shape[0], 2048]);
        assert.ok(maxDiff(pooled, ref.mean([2, 3])) / scale < 1e-4);
      });
      for (const t of [x, ref, y]) t.dispose();
    }
    frozen.dispose();
    assert.equal(liveTensors(), baseline, `${layout}: dispose frees every prepared kernel`);
    tidy(() => assert.throws(() => frozen.forwardFeatures(randn([1, 3, 32, 32])), /FrozenResNet: used after dispose/));
  }
  m.dispose();
});
