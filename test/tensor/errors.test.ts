// Bad input never crashes the process: a JS Error names the op and the argument shapes.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { cat, conv2d, fromArray, manualSeed, matmul, ones, randn, runOp, tensor, zeros, liveTensors, cudaBuilt } from "../../src/tensor/index.ts";

describe("errors", () => {
  beforeEach(() => manualSeed(0));
  it("shape mismatch names the op and both shapes", () => {
    const a = randn([2, 3]), b = randn([4, 5]);
    assert.throws(() => matmul(a, b), (e: Error) => e.message.startsWith("matmul:") && e.message.includes("[2,3] float32 cpu") && e.message.includes("[4,5] float32 cpu"));
    const x = randn([1, 3, 8, 8]), w = randn([4, 2, 3, 3]);
    assert.throws(() => conv2d(x, w), /conv2d: .*\[1,3,8,8\] float32 cpu, \[4,2,3,3\] float32 cpu/s);
    assert.throws(() => cat([randn([2, 3]), randn([2, 4])], 0), /cat: .*Sizes of tensors must match/);
    for (const t of [a, b, x, w]) t.dispose();
  });

  it("dtype mismatch is an Error, not a crash", () => {
    const f = randn([2, 2]), i = tensor([[1, 2], [3, 4]], { dtype: "int64" });
    assert.throws(() => matmul(f, i), /matmul: .*\[2,2\] float32 cpu, \[2,2\] int64 cpu/);
    f.dispose(); i.dispose();
  });

  it("a CUDA device without CUDA support says so, and how to get a CUDA build", { skip: cudaBuilt() ? "this engine has CUDA" : false }, () => {
    assert.throws(() => zeros([2], { device: "cuda:0" }), /zeros: device 'cuda:0' requested but this engine has no CUDA \(libtorch [\d.]+ CPU\)\. Build against a CUDA PyTorch.*LIBTORCH_DIR.*npm run setup/);
    const t = ones([2]);
    assert.throws(() => t.toDevice("cuda"), /has no CUDA/);
    assert.throws(() => t.toDevice("tpu"), /unknown device 'tpu'/);
    t.dispose();
  });

  it("use after dispose is an Error naming the op", () => {
    const t = ones([2, 2]);
    t.dispose();
    t.dispose(); // idempotent
    assert.ok(t.isDisposed);
    assert.throws(() => t.add(1), /add: argument 0 is a disposed tensor/);
    assert.throws(() => t.data(), /tensor\.data: the tensor was disposed/);
    assert.throws(() => cat([ones([1]), t]), /cat: argument 0\[1\] is a disposed tensor/);
  });

  it("wrong argument types name the argument and what was expected", () => {
    const t = ones([2, 2]);
    assert.throws(() => runOp("reshape", t, "x"), /reshape: argument 1 must be an integer or an array of integers, got string/);
    assert.throws(() => runOp("softmax", t, 0.5), /softmax: argument 1 must be an integer \(got 0\.5/);
    assert.throws(() => runOp("nonexistent_op", t), /unknown op 'nonexistent_op'/);
    assert.throws(() => runOp("to_dtype", t, "float8"), /unknown dtype 'float8'/);
    assert.throws(() => t.item(), /item: expected a tensor with one element, got \[2,2\]/);
    t.dispose();
  });

  it("data of the wrong size for a shape is a RangeError", () => {
    assert.throws(() => fromArray(new Float32Array(5), [2, 3]), RangeError);
    assert.throws(() => tensor([[1, 2], [3]]), /ragged/);
  });

  it("backward on a non-scalar without a gradient explains why", () => {
    const x = randn([3]).requiresGrad_();
    const y = x.mul(2);
    assert.throws(() => y.backward(), /backward: grad can be implicitly created only for scalar outputs/);
    x.dispose(); y.dispose();
  });

  it("failed ops leave no tensors behind", () => {
    const before = liveTensors();
    const a = randn([2, 3]);
    for (let i = 0; i < 50; i++) assert.throws(() => matmul(a, a));
    a.dispose();
    assert.equal(liveTensors(), before);
  });
});
