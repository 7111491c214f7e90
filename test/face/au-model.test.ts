// The AU models detection runs: predict() goes through a frozen ResNet (folded batch norms,
// oneDNN) and must equal the eager network, never serve stale weights, and free what it built.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BP4D_AUS, GraphAuModel, LinearProbeAuModel } from "../../src/face/au-model.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { interpolate, liveTensors, manualSeed, noGrad, randn, tidy, type Tensor } from "../../src/tensor/index.ts";

const maxDiff = (a: Tensor, b: Tensor) => tidy(() => a.sub(b).abs().max().item());

/** Moves every batch norm's statistics away from (0, 1) so folding them matters. */
function perturbStats(m: { stateDict(): Map<string, Tensor> }, seed: number): void {
  manualSeed(seed);
  noGrad(() => tidy(() => {
    for (const [k, t] of m.stateDict()) {
      if (k.endsWith("running_mean")) t.copy_(randn(t.shape).mul(0.2));
      if (k.endsWith("running_var")) t.copy_(randn(t.shape).abs().add(0.5));
    }
  }));
}

test("LinearProbeAuModel.predict (frozen) equals sigmoid(forward) in eval; loadStateDict and train() drop the snapshot", () => {
  manualSeed(0);
  const m = new LinearProbeAuModel("resnet_tiny", BP4D_AUS);
  perturbStats(m, 1);
  const x = randn([2, 3, 64, 64]);
  const eager = () => noGrad(() => tidy(() => m.forward(x).sigmoid()));
  m.prepare();
  const before = liveTensors();
  const p = m.predict(x);
  assert.equal(liveTensors(), before + 1, "predict leaves only its result");
  const ref = eager();
  assert.deepEqual(p.shape, [2, BP4D_AUS.length]);
  assert.ok(maxDiff(p, ref) < 1e-5, `${maxDiff(p, ref)}`);

  // New weights through loadStateDict: the next predict must see them, not the old snapshot.
  const other = new LinearProbeAuModel("resnet_tiny", BP4D_AUS);
  perturbStats(other, 2);
  m.loadStateDict(other.stateDict());
  const p2 = m.predict(x);
  const ref2 = eager();
  assert.ok(maxDiff(p2, ref2) < 1e-5);
  assert.ok(maxDiff(p2, p) > 1e-3, "the weights changed, so must the output");

  // Train mode: batch statistics, as the eager network computes them.
  m.train();
  const p3 = m.predict(x);
  const ref3 = noGrad(() => tidy(() => m.forward(x).sigmoid()));
  assert.ok(maxDiff(p3, ref3) < 1e-5);
  m.eval();
  for (const t of [x, p, ref, p2, ref2, p3, ref3]) t.dispose();
  other.dispose();
  const live = liveTensors();
  m.dispose();
  assert.ok(liveTensors() < live);
});

test("GraphAuModel with a ResNet backbone: frozen predict equals the eager ME-GraphAU scores (clamped), resized to its crop", () => {
  manualSeed(4);
  const net = createAuModel({ backbone: "resnet_tiny", numAus: 5, method: "megraphau" });
  perturbStats(net, 5);
  const model = new GraphAuModel(net, [1, 2, 4, 6, 12], 64, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, "test");
  const crops = randn([3, 3, 224, 224]);
  tidy(() => {
    const p = model.predict(crops);
    const ref = noGrad(() => net.forward(interpolate(crops, [64, 64], "bilinear", false, true)).clamp(0, 1));
    assert.deepEqual(p.shape, [3, 5]);
    assert.ok(maxDiff(p, ref) < 1e-5, `${maxDiff(p, ref)}`);
    assert.ok(maxDiff(model.predict(crops.narrow(0, 1, 1)), p.narrow(0, 1, 1)) < 1e-5, "a face's scores do not depend on its batch");
  });
  crops.dispose();
  model.dispose();
});
