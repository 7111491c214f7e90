// libtorch's autocast through the binding: on the CPU (bfloat16) eligible ops run in the lower
// precision inside the region and in float32 outside it; regions nest and restore the outer state.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autocast, fromArray, matmul, tidy } from "../../src/tensor/index.ts";

function values(n: number, seed: number): Float32Array {
  // a fixed sequence, no random draw
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37));
}

describe("autocast", () => {
  it("CPU bfloat16: matmul runs in bfloat16 inside, float32 outside, within bfloat16's precision", () => {
    tidy(() => {
      const a = fromArray(values(64 * 32, 1), [64, 32]);
      const b = fromArray(values(32 * 16, 2), [32, 16]);
      const ref = matmul(a, b);
      const low = autocast("cpu", "bfloat16", () => matmul(a, b));
      assert.equal(ref.dtype, "float32");
      assert.equal(low.dtype, "bfloat16");
      assert.equal(matmul(a, b).dtype, "float32", "autocast off again after the region");
      const r = ref.data() as Float32Array;
      const l = low.to("float32").data() as Float32Array;
      let worst = 0;
      for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] - l[i]) / (Math.abs(r[i]) + 1));
      // bfloat16 keeps 8 significant bits: inputs and output each rounded (2^-8 relative), summed over 32 terms
      assert.ok(worst < 0.05, `bfloat16 autocast deviates by ${worst}`);
      assert.ok(worst > 0, "the bfloat16 result should differ from float32 somewhere");
    });
  });

  it("regions nest; an error inside still restores the outer state", () => {
    tidy(() => {
      const a = fromArray(values(16, 3), [4, 4]);
      autocast("cpu", "bfloat16", () => {
        autocast("cpu", "bfloat16", () => assert.equal(matmul(a, a).dtype, "bfloat16"));
        assert.equal(matmul(a, a).dtype, "bfloat16", "inner region's end keeps the outer one on");
      });
      assert.throws(() => autocast("cpu", "bfloat16", () => { throw new Error("boom"); }), /boom/);
      assert.equal(matmul(a, a).dtype, "float32");
    });
  });
});
