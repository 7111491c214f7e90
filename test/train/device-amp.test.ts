// Training devices and mixed precision on any machine: bf16 autocast trains on the CPU with finite
// losses close to float32's, and a CUDA device asked of a CPU-only engine (or a bad device/amp
// value) is refused before anything is written. The CUDA runs themselves are in test/cuda/.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { cudaBuilt, liveTensors } from "../../src/tensor/index.ts";
import { deviceOf, resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/trainer.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let prepared: string;
const out = () => makeTempDir("aunce-amp-");
before(async () => {
  prepared = await tinyPrepared();
});

describe("training devices and mixed precision", () => {
  it("--amp bf16 on the CPU: finite losses, the first within bfloat16 precision of float32's, nothing left behind", async () => {
    const live = liveTensors();
    const cfg = { epochs: 1, max_steps: 3 };
    const fp32 = await train(resolveConfig(tinyConfig(prepared, out(), cfg)));
    const bf16 = await train(resolveConfig(tinyConfig(prepared, out(), { ...cfg, amp: "bf16" })));
    assert.equal(bf16.steps, 3);
    assert.ok(bf16.losses.every(Number.isFinite), `bf16 losses ${bf16.losses}`);
    // Same weights and batch at step 1: only the precision of the forward pass differs.
    const rel = Math.abs(bf16.losses[0] - fp32.losses[0]) / Math.abs(fp32.losses[0]);
    assert.ok(rel < 0.05, `first loss bf16 ${bf16.losses[0]} vs fp32 ${fp32.losses[0]}`);
    assert.notEqual(bf16.losses[0], fp32.losses[0], "autocast had no effect");
    assert.equal(liveTensors(), live);
  });

  it("device and amp values are checked when the config is read", () => {
    const base = tinyConfig(prepared ?? "x", "runs");
    assert.equal(deviceOf(resolveConfig({ ...base, gpu_ids: "1" })), "cuda:1");
    assert.equal(deviceOf(resolveConfig({ ...base, gpu_ids: "-1" })), "cpu");
    assert.equal(deviceOf(resolveConfig({ ...base, device: "cuda" })), "cuda:0");
    assert.equal(deviceOf(resolveConfig({ ...base, device: "cpu", gpu_ids: "0" })), "cpu", "--device wins over --gpu_ids");
    assert.throws(() => resolveConfig({ ...base, device: "gpu0" }), /device must be cpu, cuda or cuda:N, got 'gpu0'/);
    assert.throws(() => resolveConfig({ ...base, amp: "fp8" as "off" }), /amp must be off, bf16 or fp16/);
  });

  it("a CUDA device on a CPU-only engine is refused before the run folder exists, saying how to get a CUDA build", { skip: cudaBuilt() ? "this engine has CUDA" : false }, async () => {
    const dir = out();
    await assert.rejects(train(resolveConfig(tinyConfig(prepared, dir, { gpu_ids: "0" }))), /has no CUDA.*pip install torch.*LIBTORCH_DIR.*npm run setup/s);
    assert.equal(existsSync(join(dir, "run")), false);
  });
});
