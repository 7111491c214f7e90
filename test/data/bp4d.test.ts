import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readBp4d } from "../../src/data/bp4d.ts";
import { MASKED } from "../../src/data/frames.ts";
import { DataFormatError, type IssueReason } from "../../src/data/issues.ts";
import { writePrepared } from "../../src/data/prepare.ts";
import { bp4dRow, tempDir, writeBp4dTree, type Bp4dSeq } from "./helpers/raw-trees.ts";

// One subject from each part (spec §1): F001 part1, M011 part2, F007 part3.
const base = (): Bp4dSeq[] => [
  { subject: "F001", task: "T1", rows: [bp4dRow(10, { 1: 1 }), bp4dRow(11, { 1: 1, 12: 1 }), bp4dRow(12)] },
  { subject: "F001", task: "T2", rows: [bp4dRow(5, { 24: 1 })] },
  { subject: "M011", task: "T1", rows: [bp4dRow(100, { 2: 1 }), bp4dRow(101)] },
  { subject: "F007", task: "T8", rows: [bp4dRow(7, { 4: 1, 6: 1 })] },
];

describe("BP4D raw labels", () => {
  it("pairs rows with crops and splits subjects into the spec's folds", async () => {
    const root = await writeBp4dTree(tempDir(), base());
    const parsed = readBp4d(root, { strict: true });
    assert.equal(parsed.frames.length, 7);
    assert.deepEqual(parsed.frames.map((f) => f.image), ["F001/T1/10.jpg", "F001/T1/11.jpg", "F001/T1/12.jpg", "F001/T2/5.jpg", "M011/T1/100.jpg", "M011/T1/101.jpg", "F007/T8/7.jpg"]);
    assert.deepEqual(Array.from(parsed.frames[1].labels), [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    assert.ok(parsed.subjectsMissing.includes("M007") && !parsed.subjectsMissing.includes("F001"));

    const out = tempDir();
    const summary = writePrepared(parsed, out);
    const list = (name: string) => readFileSync(join(out, "list", name), "utf8").trim().split("\n");
    // fold1 tests part3 and trains on parts 1+2; fold3 tests part1.
    assert.deepEqual(list("BP4D_test_img_path_fold1.txt"), ["F007/T8/7.jpg"]);
    assert.equal(list("BP4D_train_img_path_fold1.txt").length, 6);
    assert.deepEqual(list("BP4D_test_img_path_fold2.txt"), ["M011/T1/100.jpg", "M011/T1/101.jpg"]);
    assert.deepEqual(list("BP4D_train_img_path_fold3.txt"), ["M011/T1/100.jpg", "M011/T1/101.jpg", "F007/T8/7.jpg"]);
    assert.deepEqual(list("BP4D_test_label_fold1.txt"), ["0 0 1 1 0 0 0 0 0 0 0 0"]);
    assert.equal(summary.folds[0].train.frames, 6);
    assert.equal(summary.folds[0].test.positives[2], 1);
    assert.ok(existsSync(join(out, "list", "BP4D_train_weight_fold1.txt")));
    assert.ok(existsSync(join(out, "summary.json")) && existsSync(join(out, "dataset.json")));
  });

  it("orders tasks by number (T2 before T10)", async () => {
    const root = await writeBp4dTree(tempDir(), [
      { subject: "F001", task: "T10", rows: [bp4dRow(1)] },
      { subject: "F001", task: "T2", rows: [bp4dRow(1)] },
    ]);
    assert.deepEqual(readBp4d(root).frames.map((f) => f.image), ["F001/T2/1.jpg", "F001/T10/1.jpg"]);
  });

  it("excludes frames with code 9 by default, counts them, and masks them on request", async () => {
    const seqs = base();
    seqs[0].rows.push(bp4dRow(13, { 1: 9, 2: 1 }));
    const root = await writeBp4dTree(tempDir(), seqs);
    const excl = readBp4d(root, { strict: true });
    assert.equal(excl.frames.length, 7);
    assert.equal(excl.uncoded.frames, 1);
    assert.ok(!excl.frames.some((f) => f.image.endsWith("/13.jpg")));

    const masked = readBp4d(root, { maskUncoded: true });
    const f13 = masked.frames.find((f) => f.image === "F001/T1/13.jpg");
    assert.ok(f13);
    assert.equal(f13.labels[0], MASKED); // never counted as present
    assert.equal(f13.labels[1], 1);
    assert.equal(masked.uncoded.mode, "mask");
    const out = tempDir();
    const summary = writePrepared(masked, out);
    assert.equal(summary.folds[0].train.masked[0], 1);
    assert.equal(summary.folds[0].train.positives[0], 2);
    assert.match(readFileSync(join(out, "list", "BP4D_train_label_fold1.txt"), "utf8"), /^-1 1 0 0/m);
  });

  // Each malformed case: how to break the base tree, the reason, frames lost, and where it must point.
  const cases: { name: string; reason: IssueReason; frames: number; where: RegExp; edit: (s: Bp4dSeq[]) => void }[] = [
    { name: "bad CSV header", reason: "bad-header", frames: 3, where: /F001_T1\.csv:1:/, edit: (s) => (s[0].header = "frame,1,2,3") },
    { name: "header without an evaluated AU", reason: "bad-header", frames: 3, where: /F001_T1\.csv:1: header has no column for AU24/, edit: (s) => (s[0].header = "0,1,2,4,6,7,10,12,14,15,17,23") },
    { name: "non-numeric cell", reason: "non-numeric", frames: 1, where: /F001_T1\.csv:3: AU2 cell "x"/, edit: (s) => (s[0].rows[1] = bp4dRow(11, { 2: "x" })) },
    { name: "value outside 0/1/9", reason: "invalid-value", frames: 1, where: /F001_T1\.csv:2: AU4 value 3/, edit: (s) => (s[0].rows[0] = bp4dRow(10, { 4: 3 })) },
    { name: "ragged row", reason: "wrong-column-count", frames: 1, where: /M011_T1\.csv:3:/, edit: (s) => (s[2].rows[1] = "101,0,0") },
    { name: "duplicate frame", reason: "duplicate-frame", frames: 1, where: /F001_T2\.csv:3:/, edit: (s) => s[1].rows.push(bp4dRow(5)) },
    { name: "missing label file", reason: "missing-label-file", frames: 1, where: /F007_T8\.csv/, edit: (s) => (s[3].noLabels = true) },
    { name: "image without label", reason: "image-without-label", frames: 1, where: /img[/\\]M011[/\\]T1[/\\]102\.jpg/, edit: (s) => (s[2].images = [100, 101, 102]) },
    { name: "label without image", reason: "label-without-image", frames: 1, where: /F001_T1\.csv:4: no image for frame 12/, edit: (s) => (s[0].images = [10, 11]) },
    { name: "unknown subject", reason: "unknown-subject", frames: 2, where: /X999_T1\.csv|F099_T1\.csv/, edit: (s) => s.push({ subject: "F099", task: "T1", rows: [bp4dRow(1), bp4dRow(2)] }) },
  ];
  for (const c of cases) {
    it(`${c.name}: skipped and counted by default, fails naming the file with --strict`, async () => {
      const seqs = base();
      c.edit(seqs);
      const root = await writeBp4dTree(tempDir(), seqs);
      const parsed = readBp4d(root);
      assert.equal(parsed.issues.framesByReason.get(c.reason), c.frames, `frames skipped for ${c.reason}: ${JSON.stringify(parsed.issues.issues)}`);
      assert.equal(parsed.issues.issues.length, 1, JSON.stringify(parsed.issues.issues));
      assert.match(parsed.issues.issues[0].message, c.where);
      // Kept + skipped accounts for every frame of the tree's protocol subjects.
      const summary = writePrepared(parsed, tempDir());
      assert.equal(summary.skipped.byReason[c.reason]?.frames, c.frames);
      assert.throws(() => readBp4d(root, { strict: true }), (e: unknown) => e instanceof DataFormatError && c.where.test(e.message) && /--strict/.test(e.message));
    });
  }

  it("reports a missing label folder clearly", () => {
    assert.throws(() => readBp4d(tempDir()), /AUCoding[/\\]AU_OCC.*not found/);
  });
});
