import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readDisfa } from "../../src/data/disfa.ts";
import { DataFormatError, type IssueReason } from "../../src/data/issues.ts";
import { writePrepared } from "../../src/data/prepare.ts";
import { disfaLines, tempDir, writeDisfaTree, type DisfaSubject } from "./helpers/raw-trees.ts";

// One subject from each part (spec §1): SN002 part1, SN013 part2, SN003 part3.
const base = (): DisfaSubject[] => [
  { subject: "SN002", frames: 4, files: { 1: disfaLines(4, (f) => f - 1) /* 0,1,2,3 */, 26: disfaLines(4, (f) => (f === 4 ? 5 : 0)) } },
  { subject: "SN013", frames: 3 },
  { subject: "SN003", frames: 2, files: { 9: disfaLines(2, () => 2) } },
];

describe("DISFA raw labels", () => {
  it("counts intensity >= 2 as present and maps 1-based frames to 0-based images", async () => {
    const root = await writeDisfaTree(tempDir(), base());
    const parsed = readDisfa(root, { strict: true });
    assert.equal(parsed.frames.length, 9);
    const sn002 = parsed.frames.filter((f) => f.subject === "SN002");
    assert.deepEqual(sn002.map((f) => f.image), ["SN002/0.png", "SN002/1.png", "SN002/2.png", "SN002/3.png"]);
    // AU1 intensities 0,1,2,3 by frame -> 0,0,1,1; AU26 intensity 5 on frame 4 (image 3).
    assert.deepEqual(sn002.map((f) => f.labels[0]), [0, 0, 1, 1]);
    assert.deepEqual(sn002.map((f) => f.labels[7]), [0, 0, 0, 1]);

    const out = tempDir();
    writePrepared(parsed, out);
    const read = (n: string) => readFileSync(join(out, "list", n), "utf8").trim().split("\n");
    assert.deepEqual(read("DISFA_test_img_path_fold1.txt"), ["SN003/0.png", "SN003/1.png"]);
    assert.deepEqual(read("DISFA_test_label_fold1.txt"), ["0 0 0 0 1 0 0 0", "0 0 0 0 1 0 0 0"]);
    assert.equal(read("DISFA_train_img_path_fold3.txt").length, 5); // parts 2 + 3
    assert.equal(read("DISFA_test_img_path_fold2.txt")[0], "SN013/0.png");
  });

  it("pairs by frame number, not line position", async () => {
    const root = await writeDisfaTree(tempDir(), [{ subject: "SN013", frames: 3, files: { 2: ["3,4", "1,0", "2,0"] } }]);
    const parsed = readDisfa(root, { strict: true });
    assert.deepEqual(parsed.frames.map((f) => [f.image, f.labels[1]]), [["SN013/0.png", 0], ["SN013/1.png", 0], ["SN013/2.png", 1]]);
  });

  const cases: { name: string; reason: IssueReason; frames: number; where: RegExp; edit: (s: DisfaSubject[]) => void }[] = [
    { name: "bad CSV header (DISFA files have none)", reason: "bad-header", frames: 0, where: /SN013_au4\.txt:1: DISFA label files have no header/, edit: (s) => (s[1].files = { 4: ["frame,intensity", ...disfaLines(3)] }) },
    { name: "non-numeric cell", reason: "non-numeric", frames: 1, where: /SN013_au6\.txt:2: intensity cell "a"/, edit: (s) => (s[1].files = { 6: ["1,0", "2,a", "3,0"] }) },
    { name: "intensity out of range", reason: "invalid-value", frames: 1, where: /SN013_au6\.txt:3: intensity 7/, edit: (s) => (s[1].files = { 6: ["1,0", "2,0", "3,7"] }) },
    { name: "ragged row", reason: "wrong-column-count", frames: 1, where: /SN013_au1\.txt:1:/, edit: (s) => (s[1].files = { 1: ["1,0,0", "2,0", "3,0"] }) },
    { name: "duplicate frame", reason: "duplicate-frame", frames: 1, where: /SN013_au1\.txt:4:/, edit: (s) => (s[1].files = { 1: [...disfaLines(3), "3,0"] }) },
    { name: "frame missing from one AU file", reason: "incomplete-labels", frames: 1, where: /SN013_au1\.txt:3: frame 3 has no line in .*SN013_au25\.txt/, edit: (s) => (s[1].files = { 25: disfaLines(2) }) },
    { name: "missing label file", reason: "missing-label-file", frames: 3, where: /SN013_au12\.txt/, edit: (s) => (s[1].files = { 12: null }) },
    { name: "image without label", reason: "image-without-label", frames: 1, where: /img[/\\]SN013[/\\]3\.png/, edit: (s) => (s[1].images = [0, 1, 2, 3]) },
    { name: "label without image", reason: "label-without-image", frames: 1, where: /SN013_au1\.txt:3: no image 2\.png for frame 3/, edit: (s) => (s[1].images = [0, 1]) },
    { name: "unknown subject", reason: "unknown-subject", frames: 2, where: /SN099/, edit: (s) => s.push({ subject: "SN099", frames: 2 }) },
  ];
  for (const c of cases) {
    it(`${c.name}: skipped and counted by default, fails naming file and line with --strict`, async () => {
      const subjects = base();
      c.edit(subjects);
      const root = await writeDisfaTree(tempDir(), subjects);
      const parsed = readDisfa(root);
      assert.equal(parsed.issues.issues.length, 1, JSON.stringify(parsed.issues.issues));
      assert.equal(parsed.issues.framesByReason.get(c.reason), c.frames);
      assert.match(parsed.issues.issues[0].message, c.where);
      const kept = parsed.frames.filter((f) => f.subject === "SN013").length;
      if (c.reason !== "unknown-subject" && c.reason !== "image-without-label" && c.reason !== "bad-header") assert.equal(kept + c.frames, 3);
      assert.throws(() => readDisfa(root, { strict: true }), (e: unknown) => e instanceof DataFormatError && c.where.test(e.message));
    });
  }
});
