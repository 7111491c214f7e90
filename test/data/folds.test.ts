import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FOLDS, foldParts, partOfSubject, subjectParts } from "../../src/data/folds.ts";

describe("folds", () => {
  it("has 41 BP4D and 27 DISFA subjects, each in exactly one part", () => {
    for (const [ds, n] of [["BP4D", 41], ["DISFA", 27]] as const) {
      const all = subjectParts(ds).flat();
      assert.equal(all.length, n);
      assert.equal(new Set(all).size, n);
    }
  });
  it("each fold tests one part, trains on the other two, and every part is tested once", () => {
    const tested = FOLDS.map((f) => foldParts(f).test);
    assert.deepEqual(tested, [3, 2, 1]);
    for (const f of FOLDS) {
      const { test, train } = foldParts(f);
      assert.deepEqual([...train, test].sort(), [1, 2, 3]);
    }
    assert.equal(partOfSubject("BP4D", "F007"), 3);
    assert.equal(partOfSubject("DISFA", "SN013"), 2);
    assert.equal(partOfSubject("BP4D", "F099"), undefined);
  });
});
