// Module bookkeeping: dotted names, state-dict round trips, strict/non-strict loading, modes,
// layout conversion.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { equal, fromBytes, manualSeed, randn, tidy, toBytes, allclose, liveTensors, type Tensor } from "../../src/tensor/index.ts";
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ModuleList, ReLU, Sequential } from "../../src/nn/index.ts";

class Block extends Module {
  conv1 = new Conv2d(3, 4, 3, { padding: 1, bias: false });
  bn1 = new BatchNorm2d(4);
  drop = new Dropout(0.5);
  forward(x: Tensor): Tensor {
    return tidy(() => this.drop.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
  }
}
class Net extends Module {
  layer1 = new Sequential(new Block(), new ReLU());
  heads = new ModuleList([new Linear(4, 2), new Linear(4, 3, false)]);
  forward(x: Tensor): Tensor[] {
    return tidy(() => {
      const f = (this.layer1.forward(x) as Tensor).mean([2, 3]);
      return [...this.heads].map((h) => h.forward(f) as Tensor);
    });
  }
}

describe("Module", () => {
  beforeEach(() => manualSeed(0)); // init, inputs and dropout masks
  it("names parameters and buffers with PyTorch's dotted keys in registration order", () => {
    const net = new Net();
    assert.deepEqual([...net.stateDict().keys()], [
      "layer1.0.conv1.weight",
      "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean", "layer1.0.bn1.running_var", "layer1.0.bn1.num_batches_tracked",
      "heads.0.weight", "heads.0.bias",
      "heads.1.weight",
    ]);
    assert.equal(net.parameters().length, 6);
    assert.equal(net.numParameters(), 3 * 4 * 9 + 4 + 4 + 8 + 2 + 12);
    net.dispose();
  });

  it("round-trips a state dict through raw bytes into a fresh module", () => {
    const a = new Net(), b = new Net();
    a.train();
    tidy(() => { a.forward(randn([2, 3, 5, 5])); }); // moves BN running statistics
    const bytes = new Map([...a.stateDict()].map(([k, t]) => [k, { bytes: toBytes(t), shape: t.shape, dtype: t.dtype }]));
    const restored = new Map([...bytes].map(([k, v]) => [k, fromBytes(v.bytes, v.shape, v.dtype)]));
    b.loadStateDict(restored);
    for (const [k, t] of a.stateDict()) assert.ok(equal(t, b.stateDict().get(k)!), k);
    a.eval(); b.eval();
    tidy(() => {
      const x = randn([2, 3, 5, 5]);
      const [ya, yb] = [a.forward(x), b.forward(x)];
      assert.ok(equal(ya[0], yb[0]) && equal(ya[1], yb[1]), "same outputs in eval mode");
    });
    for (const t of restored.values()) t.dispose();
    a.dispose(); b.dispose();
  });

  it("strict loading names missing, unexpected and mismatched keys; non-strict reports them", () => {
    const net = new Net();
    const state = new Map(net.stateDict());
    state.delete("heads.1.weight");
    const extra = randn([1]);
    const wrong = randn([5, 4]);
    state.set("extra.weight", extra);
    state.set("heads.0.weight", wrong);
    assert.throws(() => net.loadStateDict(state), (e: Error) =>
      /missing keys: heads\.1\.weight/.test(e.message) && /unexpected keys: extra\.weight/.test(e.message) && /heads\.0\.weight: expected \[2,4\], got \[5,4\]/.test(e.message));
    const report = net.loadStateDict(state, { strict: false });
    assert.deepEqual(report, { missing: ["heads.1.weight"], unexpected: ["extra.weight"], mismatched: ["heads.0.weight: expected [2,4], got [5,4]"] });
    extra.dispose(); wrong.dispose(); net.dispose();
  });

  it("train()/eval() reach every sub-module and change dropout and batch-norm behaviour", () => {
    const net = new Net();
    net.eval();
    assert.ok(net.namedModules().every(([, m]) => !m.training));
    tidy(() => {
      const x = randn([2, 3, 5, 5]);
      const [y1] = net.forward(x), [y2] = net.forward(x);
      assert.ok(equal(y1, y2), "eval is deterministic");
      net.train();
      const [t1] = net.forward(x), [t2] = net.forward(x);
      assert.ok(!equal(t1, t2), "dropout is active in training");
    });
    assert.equal(net.stateDict().get("layer1.0.bn1.num_batches_tracked")!.item(), 2);
    net.dispose();
  });

  it("channels-last conversion keeps outputs and frees the old tensors", () => {
    const net = new Net().eval();
    const x = randn([2, 3, 6, 6]);
    const before = tidy(() => net.forward(x));
    const live = liveTensors();
    net.toChannelsLast();
    assert.ok((net.stateDict().get("layer1.0.conv1.weight") as Tensor).isContiguous("channels_last"));
    assert.equal(liveTensors(), live, "converted module holds as many tensors as before");
    const after = tidy(() => net.forward(x.contiguous("channels_last")));
    assert.ok(allclose(before[0], after[0], 1e-5, 1e-6) && allclose(before[1], after[1], 1e-5, 1e-6));
    for (const t of [...before, ...after, x]) t.dispose();
    net.dispose();
  });

  it("dispose releases every parameter and buffer", () => {
    const live = liveTensors();
    const net = new Net();
    assert.ok(liveTensors() > live);
    net.dispose();
    assert.equal(liveTensors(), live);
  });
});
