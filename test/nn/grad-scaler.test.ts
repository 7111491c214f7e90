// GradScaler follows torch.amp.GradScaler's rules: scaled loss, unscaled gradients, a skipped step
// and a backed-off scale on inf/NaN, growth after growthInterval clean steps, state round trip.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromArray, linear, mseLoss, sum, tidy } from "../../src/tensor/index.ts";
import { GradScaler, Parameter, SGD } from "../../src/nn/index.ts";

function setup() {
  const w = new Parameter(fromArray(Float32Array.from([0.5, -0.25, 1, 2, 0.125, -1]), [2, 3]));
  const x = fromArray(Float32Array.from([1, 2, 3, -1, 0, 0.5]), [2, 3]);
  const y = fromArray(Float32Array.from([0.25, -0.5, 1, 0]), [2, 2]);
  return { w, x, y };
}

describe("GradScaler", () => {
  it("scales the loss, unscales the gradients exactly (powers of two) and steps as without scaling", () => {
    const a = setup(), b = setup();
    const scaler = new GradScaler({ initScale: 1024 });
    const optA = new SGD([a.w], { lr: 0.1 }), optB = new SGD([b.w], { lr: 0.1 });
    tidy(() => {
      const l = mseLoss(linear(a.x, a.w), a.y);
      const scaled = scaler.scale(l);
      assert.equal(scaled.item(), Math.fround(l.item() * 1024));
      scaled.backward();
    });
    assert.equal(scaler.step(optA, [a.w]), true);
    scaler.update();
    tidy(() => mseLoss(linear(b.x, b.w), b.y).backward());
    optB.step();
    assert.deepEqual(Array.from(a.w.data() as Float32Array), Array.from(b.w.data() as Float32Array));
    assert.equal(scaler.scaleValue, 1024);
    for (const t of [a.w, a.x, a.y, b.w, b.x, b.y]) t.dispose();
    optA.dispose();
    optB.dispose();
  });

  it("skips the step on an inf or NaN gradient and backs off; grows after growthInterval clean steps", () => {
    const s = setup();
    const opt = new SGD([s.w], { lr: 0.1 });
    const scaler = new GradScaler({ initScale: 8, growthInterval: 2 });
    const before = Array.from(s.w.data() as Float32Array);
    for (const bad of [Infinity, NaN]) {
      opt.zeroGrad();
      tidy(() => sum(s.w.mul(bad)).backward());
      assert.equal(scaler.step(opt, [s.w]), false);
      assert.equal(scaler.skipped, true);
      scaler.update();
      assert.deepEqual(Array.from(s.w.data() as Float32Array), before, "weights unchanged by a skipped step");
    }
    assert.equal(scaler.scaleValue, 2); // 8 -> 4 -> 2
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      tidy(() => scaler.scale(mseLoss(linear(s.x, s.w), s.y)).backward());
      assert.equal(scaler.step(opt, [s.w]), true);
      scaler.update();
    }
    assert.equal(scaler.scaleValue, 4); // grew once after 2 clean steps
    assert.deepEqual(scaler.state(), { scale: 4, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2, growthTracker: 0 });
    const other = new GradScaler();
    other.load(scaler.state());
    assert.equal(other.scaleValue, 4);
    assert.throws(() => other.load({ ...scaler.state(), scale: -1 }), /bad state/);
    assert.throws(() => new GradScaler({ backoffFactor: 2 }), /backoffFactor/);
    assert.throws(() => new GradScaler().update(), /step\(\) first/);
    for (const t of [s.w, s.x, s.y]) t.dispose();
    opt.dispose();
  });

  it("disabled: scale 1 and never skips (one code path for fp32/bf16)", () => {
    const s = setup();
    const opt = new SGD([s.w], { lr: 0.1 });
    const scaler = new GradScaler({ enabled: false });
    tidy(() => sum(s.w.mul(Infinity)).backward());
    assert.equal(scaler.step(opt, [s.w]), true);
    scaler.update();
    assert.equal(scaler.scaleValue, 1);
    for (const t of [s.w, s.x, s.y]) t.dispose();
    opt.dispose();
  });
});
