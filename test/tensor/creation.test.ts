// Factories: typed arrays in (also over SharedArrayBuffers, as the data loader hands them over),
// values out, nested arrays, dtypes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arange, fromArray, fromBytes, tensor, toBytes, zeros } from "../../src/tensor/index.ts";

describe("creation", () => {
  it("copies from a Float32Array over a SharedArrayBuffer at an offset", () => {
    const sab = new SharedArrayBuffer(4 * 10);
    const all = new Float32Array(sab);
    all.forEach((_, i) => (all[i] = i));
    const view = new Float32Array(sab, 4 * 2, 6);
    const t = fromArray(view, [2, 3]);
    assert.deepEqual(t.toArray(), [[2, 3, 4], [5, 6, 7]]);
    all[2] = 99; // a copy: later writes to the slot do not reach the tensor
    assert.equal((t.data() as Float32Array)[0], 2);
    t.dispose();
  });

  it("round-trips raw bytes for every dtype", () => {
    for (const dtype of ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"] as const) {
      const t = tensor([[1, 0, 1], [0, 1, 1]], { dtype });
      const back = fromBytes(toBytes(t), t.shape, dtype);
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.to("float32").toArray(), [[1, 0, 1], [0, 1, 1]], dtype);
      t.dispose();
      back.dispose();
    }
  });

  it("infers dtypes as torch does", () => {
    const i = arange(5), f = arange(0, 1, 0.25), z = zeros([2]);
    assert.equal(i.dtype, "int64");
    assert.equal(f.dtype, "float32");
    assert.deepEqual(f.toArray(), [0, 0.25, 0.5, 0.75]);
    assert.equal(z.dtype, "float32");
    assert.equal(fromArray(new BigInt64Array([1n, 2n]), [2]).dtype, "int64");
    for (const t of [i, f, z]) t.dispose();
  });
});
