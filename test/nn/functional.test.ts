// Stateless helpers: normalize (F.normalize), dropout and drop path statistics and modes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dropout, manualSeed, ones, tensor, tidy } from "../../src/tensor/index.ts";
import { DropPath, Dropout, dropPath, normalize } from "../../src/nn/index.ts";

describe("functional", () => {
  it("normalize divides by the p-norm along a dim, guarding zero vectors with eps", () => {
    tidy(() => {
      const close = (a: unknown, b: number[][]) => (a as number[][]).flat().forEach((v, i) => assert.ok(Math.abs(v - b.flat()[i]) < 1e-6, `${v} vs ${b.flat()[i]}`));
      close(normalize(tensor([[3, 4], [0, 0]]), 2, 1).toArray(), [[0.6, 0.8], [0, 0]]);
      close(normalize(tensor([[1, 2], [3, 6]]), 1, 0).toArray(), [[0.25, 0.25], [0.75, 0.75]]);
    });
  });

  it("dropout zeroes about p of the elements and scales the rest by 1/(1-p); identity in eval", () => {
    manualSeed(1);
    tidy(() => {
      const x = ones([100000]);
      const v = dropout(x, 0.3, true).data() as Float32Array;
      const zeros = v.filter((e) => e === 0).length / v.length;
      assert.ok(Math.abs(zeros - 0.3) < 0.01, `dropped ${zeros}`);
      assert.ok(v.every((e) => e === 0 || Math.abs(e - 1 / 0.7) < 1e-6));
      const m = new Dropout(0.3).eval();
      assert.deepEqual(Array.from(m.forward(x).data() as Float32Array).slice(0, 5), [1, 1, 1, 1, 1]);
    });
  });

  it("drop path keeps or drops whole samples and is the identity in eval", () => {
    manualSeed(2);
    tidy(() => {
      const x = ones([4000, 3, 2]);
      const y = dropPath(x, 0.25, true);
      const per = y.reshape([4000, 6]).data() as Float32Array;
      let dropped = 0;
      for (let i = 0; i < 4000; i++) {
        const row = per.subarray(i * 6, i * 6 + 6);
        assert.ok(row.every((e) => e === row[0]), "a sample is dropped or kept as a whole");
        if (row[0] === 0) dropped++;
        else assert.ok(Math.abs(row[0] - 1 / 0.75) < 1e-6);
      }
      assert.ok(Math.abs(dropped / 4000 - 0.25) < 0.03, `dropped ${dropped / 4000}`);
      assert.deepEqual((new DropPath(0.25).eval().forward(x).sum().item()), 24000);
      assert.throws(() => new DropPath(1), /p must be in \[0, 1\)/);
    });
  });
});
