import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { MASKED } from "../../src/data/frames.ts";
import { DataFormatError } from "../../src/data/issues.ts";
import { readPreparedSource, readPreparedSplit, writePreparedSplit } from "../../src/data/prepared-lists.ts";
import { tempDir } from "./helpers/raw-trees.ts";

describe("reference prepared-list format", () => {
  it("round-trips lists, labels and weights", () => {
    const dir = tempDir();
    const labels = Int8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    writePreparedSplit(dir, { dataset: "DISFA", fold: 2, split: "train", images: ["SN001/0.png", "SN001/1.png"], labels, numAus: 8, weights: Float64Array.from([1, 1, 1, 1, 0.5, 1.5, 1, 1]) });
    assert.equal(readFileSync(join(dir, "DISFA_train_weight_fold2.txt"), "utf8"), "1.000000\t1.000000\t1.000000\t1.000000\t0.500000\t1.500000\t1.000000\t1.000000\n");
    const s = readPreparedSplit({ listDir: dir, dataset: "DISFA", fold: 2, split: "train", imgRoot: "/data/img" });
    assert.deepEqual(s.images, ["SN001/0.png", "SN001/1.png"]);
    assert.deepEqual(Array.from(s.labels), Array.from(labels));
    assert.deepEqual(Array.from(s.weights!), [1, 1, 1, 1, 0.5, 1.5, 1, 1]);
  });

  it("reads a reference list folder as written by the reference tools (img next to list, 9 = masked)", () => {
    const root = tempDir();
    const list = join(root, "list");
    mkdirSync(list);
    writeFileSync(join(list, "BP4D_test_img_path_fold3.txt"), "F001/T1/2440.jpg\nF001/T1/2441.jpg\n");
    writeFileSync(join(list, "BP4D_test_label_fold3.txt"), "0 1 0 0 0 0 0 0 0 0 0 1\n9 0 0 0 0 0 0 0 0 0 0 0\n");
    const s = readPreparedSource(list, 3, "test");
    assert.equal(s.dataset, "BP4D");
    assert.equal(s.imgRoot, resolve(root, "img"));
    assert.equal(s.labels[11], 1);
    assert.equal(s.labels[12], MASKED);
    assert.equal(s.weights, undefined);
  });

  it("names file and line for a bad label row and a count mismatch", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "DISFA_test_img_path_fold1.txt"), "a.png\nb.png\n");
    writeFileSync(join(dir, "DISFA_test_label_fold1.txt"), "0 0 0 0 0 0 0 0\n0 0 2 0 0 0 0 0\n");
    assert.throws(() => readPreparedSplit({ listDir: dir, dataset: "DISFA", fold: 1, split: "test" }), (e: unknown) => e instanceof DataFormatError && /DISFA_test_label_fold1\.txt:2: label "2"/.test(e.message));
    writeFileSync(join(dir, "DISFA_test_label_fold1.txt"), "0 0 0 0 0 0 0 0\n");
    assert.throws(() => readPreparedSplit({ listDir: dir, dataset: "DISFA", fold: 1, split: "test" }), /1 label rows but 2 image paths/);
  });
});
