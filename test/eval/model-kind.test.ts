// linear evaluation and evaluation check the model's kind before extracting any feature: on a
// real fold the extraction takes minutes, and the old check came after it.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { AuDataset, BP4D_AUS } from "../../src/data/index.ts";
import { evaluateScoreModel } from "../../src/eval/evaluate.ts";
import { linearEval } from "../../src/eval/linear-eval.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { tinyPrepared } from "../helpers/tiny-dataset.ts";

let ds: AuDataset;
before(async () => {
  ds = AuDataset.open(await tinyPrepared(), 1, "train", { dataset: "BP4D" });
});

describe("model kind before work", () => {
  it("linearEval refuses a supervised (score) model without extracting features", async () => {
    const model = createAuModel({ backbone: "resnet_tiny", numAus: 12, method: "megraphau" });
    let progress = 0;
    try {
      await assert.rejects(linearEval(model, BP4D_AUS, ds, ds, { cropSize: 48, workers: 1, onProgress: () => progress++ }), /linear evaluation needs an AUNCE encoder \(AU embeddings\); this is a supervised model \(per-AU scores\): evaluate it with `aunce evaluate`/);
      assert.equal(progress, 0, "no feature was extracted");
    } finally {
      model.dispose();
    }
  });

  it("evaluateScoreModel refuses an AUNCE encoder before extracting features", async () => {
    const model = createAuModel({ backbone: "resnet_tiny", numAus: 12, method: "aunce" });
    let forwards = 0;
    const forward = model.forward.bind(model);
    model.forward = (x) => (forwards++, forward(x));
    try {
      await assert.rejects(evaluateScoreModel(model, BP4D_AUS, ds, ds, { cropSize: 48, workers: 1, tune: true }), /evaluate needs a supervised model \(per-AU scores\); this is an AUNCE encoder \(AU embeddings\): use `aunce linear-eval`/);
      assert.equal(forwards, 0, "no feature was extracted");
    } finally {
      model.dispose();
    }
  });
});
