import { test } from "node:test";
import assert from "node:assert/strict";
import { createAuModel, createModel, listModels, modelInfo } from "../../src/models/registry.ts";
import { AdamW } from "../../src/nn/index.ts";
import { liveTensors, manualSeed, randn, tidy } from "../../src/tensor/index.ts";
import { aunceLoss } from "../../src/losses/index.ts";
import { tensor } from "../../src/tensor/index.ts";

test("registry lists every family's variants, including one tiny test variant per family", () => {
  const all = listModels();
  for (const n of ["resnet18", "resnet50", "resnet101", "swin_t", "swin_s", "swin_b"]) assert.ok(all.includes(n), n);
  const tiny = listModels({ testOnly: true });
  assert.deepEqual(new Set(tiny.map((n) => modelInfo(n).family)), new Set(["resnet", "swin"]));
  assert.throws(() => createModel("swin_x"), /unknown model 'swin_x' \(known: .*swin_b/);
  assert.throws(() => createModel("resnet18", { dropPathRate: 0.1 }), /Swin models only/);
});

for (const name of listModels({ testOnly: true })) {
  test(`smoke: ${name} forward/backward, tokens [B, L, C]; AUNCE model on it trains a step without leaking`, () => {
    manualSeed(0);
    const info = modelInfo(name);
    const bb = createModel(name, { numClasses: 0 });
    const s = info.inputSize;
    const before = liveTensors();
    tidy(() => {
      const tok = bb.forwardTokens(randn([2, 3, s, s]));
      assert.equal(tok.ndim, 3);
      assert.equal(tok.shape[2], bb.numFeatures);
      tok.square().mean().backward();
      assert.ok(bb.parameters().every((p) => p.grad !== null), "every parameter gets a gradient");
    });
    bb.zeroGrad();
    assert.equal(liveTensors(), before);
    bb.dispose();

    const net = createAuModel({ backbone: name, numAus: 4 });
    const opt = new AdamW(net.parameters(), { lr: 1e-3 });
    const labels = tensor([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 1]]);
    const start = liveTensors();
    tidy(() => {
      const z1 = net.forward(randn([3, 3, s, s]));
      const z2 = net.forward(randn([3, 3, s, s]));
      assert.deepEqual(z1.shape, [3, net.head.channels, 4]);
      const loss = aunceLoss(z1, z2, labels, { draws: [0.1, 0.5, 0.9, 0.3] });
      assert.ok(Number.isFinite(loss.item()));
      loss.backward();
    });
    opt.step();
    net.zeroGrad();
    assert.equal(liveTensors(), start);
    labels.dispose();
    net.dispose();
  });
}

test("ME-GraphAU widths: global_linear maps to C/2 on Swin and C/4 on ResNet; output scores [B, N]", () => {
  manualSeed(1);
  const swin = createAuModel({ backbone: "swin_tiny_test", numAus: 5, method: "megraphau" });
  const res = createAuModel({ backbone: "resnet_tiny", numAus: 5, method: "megraphau" });
  assert.equal(swin.head.channels, 32);
  assert.equal(res.head.channels, 16);
  tidy(() => assert.deepEqual(swin.forward(randn([2, 3, 64, 64])).shape, [2, 5]));
  swin.dispose();
  res.dispose();
});
