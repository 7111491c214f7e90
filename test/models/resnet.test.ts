import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createResNet } from "../../src/models/backbones/resnet.ts";
import { manualSeed, noGrad, tidy } from "../../src/tensor/index.ts";
import { readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { keylists } from "./checkpoint/helpers.ts";
import { describeState, detFill, detInput, relErr } from "./helpers.ts";

// Module construction draws initial weights; seeded, although detFill overwrites them.
beforeEach(() => manualSeed(0));

const fx = readFixture<Record<string, EncodedTensor>>("models/resnet.json");

for (const name of ["resnet18", "resnet50"]) {
  test(`${name}: state-dict keys, order, dtypes and shapes equal torchvision's recorded list`, () => {
    const m = createResNet(name);
    try {
      assert.deepEqual(describeState(m), keylists.lists[`torchvision_${name}`]);
    } finally {
      m.dispose();
    }
  });
}

test("resnet18 equals torchvision on the same weights (64x64: eval logits and tokens, train-mode tokens and running stats)", () => {
  const m = createResNet("resnet18");
  detFill(m);
  const x = detInput([2, 3, 64, 64]);
  noGrad(() => tidy(() => {
    m.eval();
    const logits = m.forward(x);
    assert.ok(relErr(logits, fx.logits_eval) < 1e-4, `logits ${relErr(logits, fx.logits_eval)}`);
    const tok = m.forwardTokens(x);
    assert.ok(relErr(tok, fx.tokens_eval) < 1e-4, `eval tokens ${relErr(tok, fx.tokens_eval)}`);
    // Train mode in float64: float32 batch statistics over layer4's 2x2 maps are too
    // ill-conditioned to compare across CPUs (see scripts/fixtures/models.py).
    m.convert((t) => (t.dtype === "float32" ? t.to("float64") : t.clone())).train();
    const tokTrain = m.forwardTokens(x.to("float64"));
    assert.equal(tokTrain.dtype, "float64");
    assert.ok(relErr(tokTrain, fx.tokens_train_f64) < 1e-7, `train tokens ${relErr(tokTrain, fx.tokens_train_f64)}`);
    assert.ok(relErr(m.bn1.running_mean!, fx.bn1_running_mean_after_train) < 1e-7);
  }));
  x.dispose();
  m.dispose();
});
