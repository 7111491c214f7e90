import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createSwin } from "../../src/models/backbones/swin.ts";
import { liveTensors, manualSeed, noGrad, tidy } from "../../src/tensor/index.ts";
import { readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { keylists } from "./checkpoint/helpers.ts";
import { describeState, detFill, detInput, relErr } from "./helpers.ts";

// Module construction draws initial weights; seeded, although detFill overwrites them.
beforeEach(() => manualSeed(0));

interface SwinFixture {
  keys: { name: string; dtype: string; shape: number[] }[];
  tokens: EncodedTensor;
  logits: EncodedTensor;
  grads: Record<string, EncodedTensor>;
  tokens_padded: EncodedTensor;
}
const fx = readFixture<SwinFixture>("models/swin.json");

for (const variant of ["swin_tiny_test", "swin_t"]) {
  test(`${variant}: state-dict keys, order, dtypes and shapes equal the official release's recorded list`, () => {
    const m = createSwin(variant);
    try {
      assert.deepEqual(describeState(m), keylists.lists[`official_${variant}`]);
    } finally {
      m.dispose();
    }
  });
}

test("swin_tiny_test matches the PyTorch Swin written from the paper (eval tokens, logits, gradients)", () => {
  const m = createSwin("swin_tiny_test");
  detFill(m);
  m.eval();
  const before = liveTensors();
  tidy(() => {
    const x = detInput([2, 3, 64, 64]);
    const tok = m.forwardFeatures(x);
    assert.ok(relErr(tok, fx.tokens) < 1e-4, `tokens rel err ${relErr(tok, fx.tokens)}`);
    const logits = m.head!.forward(tok.mean(1));
    assert.ok(relErr(logits, fx.logits) < 1e-4, `logits rel err ${relErr(logits, fx.logits)}`);
    tok.mul(detInput([...tok.shape], 1.1, 0.23)).sum().backward();
  });
  const params = new Map(m.namedParameters());
  for (const [name, want] of Object.entries(fx.grads)) {
    const g = params.get(name)!.grad!;
    const err = relErr(g, want);
    g.dispose();
    assert.ok(err < 1e-4, `${name} grad rel err ${err}`);
  }
  m.zeroGrad();
  assert.equal(liveTensors(), before, "forward/backward leaves no tensors behind");
  m.dispose();
});

test("swin_tiny_test at a size the release does not accept (61x75): padded as the detection code, equal to PyTorch", () => {
  const m = createSwin("swin_tiny_test");
  detFill(m);
  m.eval();
  noGrad(() => tidy(() => {
    const tok = m.forwardFeatures(detInput([2, 3, 61, 75], 0.9));
    assert.deepEqual(tok.shape, [2, 6, 64]);
    assert.ok(relErr(tok, fx.tokens_padded) < 1e-4, `padded tokens rel err ${relErr(tok, fx.tokens_padded)}`);
  }));
  m.dispose();
});

test("Swin without a classifier has no head.* keys and forward() says to use forwardTokens", () => {
  const m = createSwin("swin_tiny_test", { numClasses: 0 });
  assert.ok(![...m.stateDict().keys()].some((k) => k.startsWith("head.")));
  assert.throws(() => tidy(() => m.forward(detInput([1, 3, 64, 64]))), /forwardFeatures or forwardTokens/);
  m.dispose();
});

test("Swin drop-path rates rise linearly from 0 to the configured rate over all blocks", () => {
  const m = createSwin("swin_tiny_test", { dropPathRate: 0.7 });
  const rates = m.layers.items.flatMap((l) => l.blocks.items.map((b) => b.drop_path.p));
  assert.equal(rates.length, 8);
  rates.forEach((r, i) => assert.ok(Math.abs(r - (0.7 * i) / 7) < 1e-12, `block ${i}: ${r}`));
  m.dispose();
});
