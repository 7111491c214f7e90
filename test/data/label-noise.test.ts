// Symmetric training-label noise on a prepared folder: the flip share matches the rate, masked cells
// stay masked, test lists stay clean, class weights follow the noisy labels, and it is seeded.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BP4D_AUS, classWeights, flipLabels, readPreparedSource, writeNoisyPrepared, writePreparedSplit, FOLDS } from "../../src/data/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const N = BP4D_AUS.length;

/** A prepared folder by hand: 400 frames per split, every 10th cell masked, AU k present on frames i % (k + 2) === 0. */
function preparedFolder(): string {
  const dir = makeTempDir("aunce-noise-");
  for (const fold of FOLDS) {
    for (const split of ["train", "test"] as const) {
      const n = 400;
      const labels = Int8Array.from({ length: n * N }, (_, c) => (c % 10 === 0 ? -1 : Math.floor(c / N) % ((c % N) + 2) === 0 ? 1 : 0));
      const rows = Array.from({ length: n }, (_, i) => Array.from(labels.subarray(i * N, (i + 1) * N)));
      writePreparedSplit(join(dir, "list"), { dataset: "BP4D", fold, split, images: Array.from({ length: n }, (_, i) => `F00${fold}/T1/${i}.jpg`), labels, numAus: N, weights: split === "train" ? classWeights(rows, N).weights : undefined });
    }
  }
  writeFileSync(join(dir, "dataset.json"), JSON.stringify({ dataset: "BP4D", imgRoot: join(dir, "img"), aus: BP4D_AUS }));
  writeFileSync(join(dir, "summary.json"), "{}\n");
  return dir;
}

describe("label noise", () => {
  it("flipLabels flips about the rate's share of labelled cells, keeps masked ones, and is seeded", () => {
    const labels = Int8Array.from({ length: 20000 }, (_, i) => (i % 7 === 0 ? -1 : i % 3 === 0 ? 1 : 0));
    const noisy = flipLabels(labels, 0.4, 97, 1);
    let flipped = 0, coded = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        assert.equal(noisy[i], -1);
        continue;
      }
      coded++;
      if (noisy[i] !== labels[i]) flipped++;
    }
    assert.ok(Math.abs(flipped / coded - 0.4) < 0.02, `${flipped / coded}`);
    assert.deepEqual(flipLabels(labels, 0.4, 97, 1), noisy);
    assert.notDeepEqual(flipLabels(labels, 0.4, 97, 2), noisy);
    assert.deepEqual(flipLabels(labels, 0, 97, 1), labels);
    assert.throws(() => flipLabels(labels, 1.5, 97, 1), /\[0, 1\]/);
  });

  it("writeNoisyPrepared: noisy training lists with their own weights, clean test lists, nothing partial left", () => {
    const clean = preparedFolder();
    const out = join(makeTempDir("aunce-noise-out-"), "noise20");
    writeNoisyPrepared(clean, out, 0.2, 97);
    assert.ok(!existsSync(`${out}.partial`));
    for (const fold of FOLDS) {
      const a = readPreparedSource(clean, fold, "train");
      const b = readPreparedSource(out, fold, "train");
      assert.deepEqual(b.images, a.images);
      assert.deepEqual(b.labels, flipLabels(a.labels, 0.2, 97, fold));
      const rows = Array.from({ length: b.images.length }, (_, i) => Array.from(b.labels.subarray(i * N, (i + 1) * N)));
      const want = classWeights(rows, N).weights;
      assert.ok(b.weights!.every((w, k) => Math.abs(w - want[k]) < 1e-6), "weights from the noisy labels");
      assert.notDeepEqual(Array.from(b.weights!), Array.from(a.weights!));
      assert.equal(readFileSync(join(out, "list", `BP4D_test_label_fold${fold}.txt`), "utf8"), readFileSync(join(clean, "list", `BP4D_test_label_fold${fold}.txt`), "utf8"));
    }
    mkdirSync(join(out, "junk"));
    writeNoisyPrepared(clean, out, 0.2, 97); // redone from scratch
    assert.ok(!existsSync(join(out, "junk")));
    assert.throws(() => writeNoisyPrepared(out + "-missing", out, 0.2, 97), /not a prepared folder/);
  });
});
