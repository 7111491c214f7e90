import { test } from "node:test";
import assert from "node:assert/strict";
import { aunceLoss, aunceLossPerAu, drawPositiveTypes, positiveType, weightedAsymmetricLoss, weightedSoftmaxLoss } from "../../src/losses/index.ts";
import { liveTensors, manualSeed, noGrad, tensor, tidy, type Tensor } from "../../src/tensor/index.ts";
import { decode, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";

interface AunceCase {
  name: string;
  u: number[];
  options: { weights?: EncodedTensor; tau?: number; thresholds?: [number, number]; betas?: [number, number] };
  loss: number;
  per_au: EncodedTensor;
  grad_z1: EncodedTensor;
  grad_z2: EncodedTensor;
}
interface LossFixture {
  z1: EncodedTensor;
  z2: EncodedTensor;
  y: EncodedTensor;
  w: EncodedTensor;
  aunce: AunceCase[];
  softmax: { logits: EncodedTensor; loss: number; grad_logits: EncodedTensor };
  wal: { x: EncodedTensor; loss: number; grad_x: EncodedTensor };
}
const fx = readFixture<LossFixture>("losses/losses.json");

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
/** Max |a - e| / (|e| + 1e-3): gradients are compared relative to their own size. */
function gradErr(g: Tensor, e: EncodedTensor): number {
  assert.deepEqual([...g.shape], e.shape);
  const got = Array.from(g.data() as Float32Array);
  const scale = Math.max(...e.data.map((v) => Math.abs(Number(v))));
  return Math.max(...got.map((v, i) => Math.abs(v - Number(e.data[i])) / scale));
}

for (const c of fx.aunce) {
  test(`AUNCE loss '${c.name}' (u = ${c.u.map((u) => positiveType(u, c.options.thresholds)).join("/")}): value, per-AU values and gradients (self term from the real dot product) equal the PyTorch loop implementation`, () => {
    const before = liveTensors();
    const z1 = decode(fx.z1).requiresGrad_(true);
    const z2 = decode(fx.z2).requiresGrad_(true);
    const y = decode(fx.y);
    const w = c.options.weights ? decode(c.options.weights) : null;
    const opts = {
      draws: c.u,
      classWeights: w,
      ...(c.options.tau !== undefined ? { temperature: c.options.tau } : {}),
      ...(c.options.thresholds ? { thresholds: c.options.thresholds } : {}),
      ...(c.options.betas ? { betas: c.options.betas } : {}),
    };
    tidy(() => {
      const perAu = noGrad(() => aunceLossPerAu(z1, z2, y, opts));
      const want = c.per_au.data.map(Number);
      Array.from(perAu.data() as Float32Array).forEach((v, k) => assert.ok(Math.abs(v - want[k]) <= 1e-5 * Math.max(Math.abs(want[k]), 1e-2), `AU ${k}: ${v} vs ${want[k]}`));
      // AU 2 is present in every sample: no negatives, exactly 0, still averaged in.
      assert.equal((perAu.data() as Float32Array)[2], 0);
      const loss = aunceLoss(z1, z2, y, opts);
      assert.ok(rel(loss.item(), c.loss) < 1e-5, `loss ${loss.item()} vs ${c.loss}`);
      loss.backward();
    });
    for (const [t, e] of [[z1, c.grad_z1], [z2, c.grad_z2]] as const) {
      const g = t.grad!;
      assert.ok(gradErr(g, e) < 1e-4, `grad err ${gradErr(g, e)}`);
      g.dispose();
    }
    for (const t of [z1, z2, y, w]) t?.dispose();
    assert.equal(liveTensors(), before);
  });
}

test("AUNCE loss: draws default to libtorch's generator (reproducible under manualSeed) and are validated", () => {
  manualSeed(7);
  const a = drawPositiveTypes(12);
  manualSeed(7);
  assert.deepEqual(drawPositiveTypes(12), a);
  assert.ok(a.every((u) => u >= 0 && u < 1));
  tidy(() => {
    const z1 = decode(fx.z1);
    const z2 = decode(fx.z2);
    const y = decode(fx.y);
    manualSeed(3);
    const l1 = aunceLoss(z1, z2, y).item();
    manualSeed(3);
    const u = drawPositiveTypes(5);
    assert.ok(Math.abs(aunceLoss(z1, z2, y, { draws: u }).item() - l1) < 1e-7);
    assert.throws(() => aunceLoss(z1, z2, y, { draws: [0.1] }), /one draw per AU \(5\), got 1/);
    assert.throws(() => aunceLoss(z1, z2, y.narrow(0, 0, 3)), /labels must be \[6, 5\]/);
    assert.throws(() => aunceLoss(z1, z2.narrow(1, 0, 4), y), /z1 and z2 must both be \[B, C, N\]/);
  });
});

test("clamped class-weighted softmax loss (linear evaluation) equals PyTorch, value and gradient through the softmax", () => {
  const logits = decode(fx.softmax.logits).requiresGrad_(true);
  tidy(() => {
    const loss = weightedSoftmaxLoss(logits.softmax(1), decode(fx.y), decode(fx.w));
    assert.ok(rel(loss.item(), fx.softmax.loss) < 1e-5, `${loss.item()} vs ${fx.softmax.loss}`);
    loss.backward();
    assert.throws(() => weightedSoftmaxLoss(logits.transpose(1, 2), decode(fx.y)), /probs must be \[B, 2, N\]/);
  });
  const g = logits.grad!;
  assert.ok(gradErr(g, fx.softmax.grad_logits) < 1e-4);
  g.dispose();
  logits.dispose();
});

test("weighted asymmetric loss equals PyTorch; the x factor on negatives carries no gradient; clamps at 0 and 1", () => {
  const x = decode(fx.wal.x).requiresGrad_(true);
  tidy(() => {
    const loss = weightedAsymmetricLoss(x, decode(fx.y), decode(fx.w));
    assert.ok(rel(loss.item(), fx.wal.loss) < 1e-5, `${loss.item()} vs ${fx.wal.loss}`);
    loss.backward();
  });
  const g = x.grad!;
  assert.ok(gradErr(g, fx.wal.grad_x) < 1e-4, `grad ${gradErr(g, fx.wal.grad_x)}`);
  g.dispose();
  x.dispose();
  // One negative with x = 0.5: loss = -x log(1 - x) (x detached) -> gradient x / (1 - x) = 1, not 1 + log 2.
  tidy(() => {
    const v = tensor([[0.5]]).requiresGrad_(true);
    weightedAsymmetricLoss(v, tensor([[0]])).backward();
    const gv = v.grad!;
    assert.ok(Math.abs(gv.item() - 1) < 1e-6, `${gv.item()}`);
    gv.dispose();
    v.dispose();
  });
});
