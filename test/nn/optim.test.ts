// libtorch's optimizers driven from TS follow PyTorch's trajectories step by step, with two
// parameter groups and a learning-rate change (scripts/fixtures/nn.py); state survives a save/load.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linear, mseLoss, tidy } from "../../src/tensor/index.ts";
import { Adam, AdamW, Parameter, SGD, type Optimizer } from "../../src/nn/index.ts";
import { decode, maxRelErr, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";

interface Step { w: EncodedTensor; b: EncodedTensor; loss: number }
interface OptimCase { name: string; kind: string; options: Record<string, unknown>; trajectory: Step[] }
const fx = readFixture<{ x: EncodedTensor; y: EncodedTensor; w0: EncodedTensor; b0: EncodedTensor; cases: OptimCase[] }>("nn/optim.json");

function make(c: OptimCase, w: Parameter, b: Parameter): Optimizer {
  const o = c.options as { lr: number; momentum?: number; weight_decay?: number; dampening?: number; nesterov?: boolean; betas?: [number, number]; eps?: number; amsgrad?: boolean };
  const common = { lr: o.lr, weightDecay: o.weight_decay, betas: o.betas, eps: o.eps, amsgrad: o.amsgrad, momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov };
  for (const k of Object.keys(common) as (keyof typeof common)[]) if (common[k] === undefined) delete common[k];
  const groups = [{ params: [w] }, { params: [b], lr: o.lr * 0.5 }];
  if (c.kind === "sgd") return new SGD(groups, common);
  if (c.kind === "adam") return new Adam(groups, common);
  return new AdamW(groups, common);
}

describe("optimizers follow PyTorch", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const x = decode(fx.x), y = decode(fx.y);
      const w = new Parameter(decode(fx.w0)), b = new Parameter(decode(fx.b0));
      const opt = make(c, w, b);
      c.trajectory.forEach((expected, step) => {
        if (step === 3) {
          opt.setLr(opt.getLr(0) * 0.1, 0);
          opt.setLr(opt.getLr(1) * 0.1, 1);
        }
        opt.zeroGrad();
        const loss = tidy(() => {
          const l = mseLoss(linear(x, w, b), y);
          l.backward();
          return l.item();
        });
        opt.step();
        assert.ok(Math.abs(loss - expected.loss) < 1e-5 * (1 + Math.abs(expected.loss)), `step ${step}: loss ${loss} vs ${expected.loss}`);
        assert.ok(maxRelErr(w, expected.w) < 1e-5, `step ${step}: weight`);
        assert.ok(maxRelErr(b, expected.b) < 1e-5, `step ${step}: bias`);
      });
      opt.dispose();
      for (const t of [x, y, w, b]) t.dispose();
    });
  }

  it("saved state resumes the same trajectory in a new optimizer", () => {
    const c = fx.cases.find((k) => k.name === "adam")!;
    const x = decode(fx.x), y = decode(fx.y);
    const step = (opt: Optimizer, w: Parameter, b: Parameter) => {
      opt.zeroGrad();
      tidy(() => mseLoss(linear(x, w, b), y).backward());
      opt.step();
    };
    const w = new Parameter(decode(fx.w0)), b = new Parameter(decode(fx.b0));
    const opt = make(c, w, b);
    for (let i = 0; i < 3; i++) step(opt, w, b);
    const saved = opt.stateBytes();
    const w2 = new Parameter(w.clone()), b2 = new Parameter(b.clone());
    const opt2 = make(c, w2, b2);
    opt2.loadStateBytes(saved);
    for (let i = 0; i < 3; i++) {
      step(opt, w, b);
      step(opt2, w2, b2);
    }
    assert.deepEqual(Array.from(w2.data() as Float32Array), Array.from(w.data() as Float32Array));
    const w3 = new Parameter(decode(fx.w0)), b3 = new Parameter(decode(fx.b0));
    const fresh = make(c, w3, b3);
    for (let i = 0; i < 3; i++) step(fresh, w3, b3);
    assert.ok(maxRelErr(w3, c.trajectory[2].w) < 1e-5, "fresh optimizer reproduces the first 3 steps");
    for (const o of [opt, opt2, fresh]) o.dispose();
    for (const t of [x, y, w, b, w2, b2, w3, b3]) t.dispose();
  });

  it("rejects parameters that cannot be optimised", () => {
    const p = new Parameter(decode(fx.w0), false);
    assert.throws(() => new SGD([p], { lr: 0.1 }), /must be a leaf tensor with requiresGrad/);
    assert.throws(() => new SGD([], { lr: 0.1 }), /no parameters/);
    p.dispose();
  });
});
