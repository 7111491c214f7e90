// Layers against PyTorch with the same weights (scripts/fixtures/nn.py), batch-norm running
// statistics included; PyTorch's default initialisers by their bounds and spread.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { manualSeed, tidy, type Tensor } from "../../src/tensor/index.ts";
import { BatchNorm1d, BatchNorm2d, Conv2d, LayerNorm, Linear, Module, init } from "../../src/nn/index.ts";
import { decode, maxRelErr, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { empty } from "../../src/tensor/index.ts";

interface LayerCase {
  name: string;
  train: boolean;
  input: EncodedTensor;
  state: Record<string, EncodedTensor>;
  out: EncodedTensor;
  stateAfter: Record<string, EncodedTensor>;
}
const { cases } = readFixture<{ cases: LayerCase[] }>("nn/layers.json");

// Every test starts from a seeded generator (the layers' own init draws included).
beforeEach(() => manualSeed(0));

const build: Record<string, () => Module> = {
  linear: () => new Linear(5, 3),
  conv2d: () => new Conv2d(3, 4, 3, { stride: 2, padding: 1 }),
  conv2d_groups_nobias: () => new Conv2d(4, 6, [3, 1], { padding: [1, 0], groups: 2, bias: false }),
  batchnorm2d_train: () => new BatchNorm2d(3),
  batchnorm2d_eval: () => new BatchNorm2d(3),
  batchnorm1d_3d_train: () => new BatchNorm1d(4),
  batchnorm1d_2d_train: () => new BatchNorm1d(4),
  layernorm: () => new LayerNorm(6),
};

describe("layers match PyTorch with the same weights", () => {
  for (const c of cases) {
    it(c.name, () => {
      const m = build[c.name]();
      tidy(() => {
        const state = new Map<string, Tensor>(Object.entries(c.state).map(([k, v]) => [k, decode(v)]));
        assert.deepEqual([...m.stateDict().keys()], Object.keys(c.state), "state-dict keys and order as PyTorch");
        m.loadStateDict(state);
        m.train(c.train);
        const out = m.forward(decode(c.input)) as Tensor;
        assert.ok(maxRelErr(out, c.out) < 1e-5, `${c.name}: output`);
        for (const [k, v] of m.stateDict()) assert.ok(maxRelErr(v, c.stateAfter[k]) < 1e-5, `${c.name}: ${k} after forward`);
      });
      m.dispose();
    });
  }
});

describe("initialisers follow PyTorch's defaults", () => {
  it("Linear and Conv2d weights are U(-1/sqrt(fan_in), 1/sqrt(fan_in))", () => {
    // Seed 84 draws a Linear(400, 300) weight of exactly float32(0.05) = 0.05000000074505806: the
    // weights are float32, so the bound they can reach is float32(1/sqrt(fan_in)), not the float64 one.
    manualSeed(84);
    const lin = new Linear(400, 300);
    const conv = new Conv2d(16, 32, 3);
    for (const [w, fanIn] of [[lin.weight, 400], [conv.weight, 144]] as const) {
      const v = w.data() as Float32Array;
      const bound = 1 / Math.sqrt(fanIn);
      const max = v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      assert.ok(max <= Math.fround(bound) && max > 0.95 * bound, `max |w| ${max} vs float32 bound ${Math.fround(bound)}`);
      const variance = v.reduce((a, b) => a + b * b, 0) / v.length;
      assert.ok(Math.abs(variance - (bound * bound) / 3) < 0.05 * (bound * bound) / 3, `variance ${variance}`);
    }
    lin.dispose();
    conv.dispose();
  });
  it("truncNormal_ stays in [a, b] with the requested spread", () => {
    const t = init.truncNormal_(empty([20000]), 0, 0.02, -0.04, 0.04);
    const v = t.data() as Float32Array;
    // clamp_ runs in float32: the limits the values can reach are float32(-0.04) and float32(0.04).
    assert.ok(v.every((x) => x >= Math.fround(-0.04) && x <= Math.fround(0.04)));
    const sd = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    // N(0, 0.02) truncated at +-2 sd has sd 0.02 * 0.8796
    assert.ok(Math.abs(sd - 0.02 * 0.8796) < 0.0005, `sd ${sd}`);
    t.dispose();
  });
  it("kaimingNormal_ (fan_out, relu) has std sqrt(2 / fan_out)", () => {
    const t = init.kaimingNormal_(empty([64, 32, 3, 3]), { mode: "fan_out", nonlinearity: "relu" });
    const v = t.data() as Float32Array;
    const sd = Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
    assert.ok(Math.abs(sd - Math.sqrt(2 / (64 * 9))) < 0.003, `sd ${sd}`);
    t.dispose();
  });
});
