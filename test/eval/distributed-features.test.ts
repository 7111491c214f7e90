// Sharded linear-eval feature extraction: 2 ranks (Gloo on loopback), each encoding half of every
// batch, return the same features and labels, in dataset order, as one process encoding it all.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { AuDataset } from "../../src/data/index.ts";
import { extractFeatures } from "../../src/eval/features.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { manualSeed } from "../../src/tensor/index.ts";
import { freePort, runTs } from "../helpers/dist.ts";
import { tinyPrepared } from "../helpers/tiny-dataset.ts";

const WORKER = fileURLToPath(new URL("../helpers/dist-features.ts", import.meta.url));
let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

describe("sharded feature extraction", () => {
  it("2 ranks x half batches give the single-process features in dataset order", async () => {
    manualSeed(11);
    const model = createAuModel({ backbone: "resnet_tiny", numAus: 12 });
    const ds = AuDataset.open(prepared, 1, "test", { dataset: "BP4D" });
    assert.notEqual(ds.length % 10, 0, "the last global batch (2 x 5) must be a padded one");
    const single = await extractFeatures(model, ds, { cropSize: 48, batchSize: 10, workers: 0 });
    model.dispose();
    const port = String(await freePort());
    const runs = await Promise.all([0, 1].map((r) => runTs(WORKER, [String(r), port, prepared]).done));
    for (const r of runs) assert.equal(r.code, 0, r.err);
    for (const r of runs) {
      const got = JSON.parse(r.out.trim().split("\n").pop()!) as { n: number; shape: number[]; features: number[]; labels: number[] };
      assert.equal(got.n, ds.length);
      assert.deepEqual(got.shape, single.featureShape);
      assert.deepEqual(got.labels, Array.from(single.labels));
      // Eval-mode BatchNorm: per-sample results; only the batch composition differs.
      let worst = 0;
      got.features.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - single.features[i]))));
      assert.ok(worst < 1e-4, `features differ by ${worst}`);
    }
  });
});
