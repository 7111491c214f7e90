// Every compute command takes --device / --gpu_ids and refuses a device this engine lacks before
// any work, naming how to get a CUDA build (on a CUDA engine without that index: the GPUs there are).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cudaBuilt } from "../../src/tensor/index.ts";
import { runCli } from "../helpers/cli.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const skip = cudaBuilt() ? "this engine has CUDA" : false;

test("train, linear-eval, evaluate, detect and demo refuse a CUDA device on a CPU-only engine, before any work", { skip }, async (t) => {
  const dir = makeTempDir("aunce-device-");
  const ckpt = join(dir, "x.safetensors");
  writeFileSync(ckpt, "not read: the device is checked first");
  const cases: string[][] = [
    ["train", "--dataset", dir, "--gpu_ids", "0", "--out_dir", join(dir, "runs")],
    ["linear-eval", "--checkpoint", ckpt, "--device", "cuda:0"],
    ["evaluate", "--checkpoint", ckpt, "--gpu_ids", "1"],
    ["detect", ckpt, "--device", "cuda"],
    ["demo", "--out", join(dir, "demo"), "--gpu_ids", "0"],
  ];
  for (const args of cases) {
    const r = await runCli(t, ...args);
    assert.equal(r.code, 1, `${args[0]}: ${r.out}`);
    assert.match(r.err, /has no CUDA.*npm run setup/s, `${args[0]}: ${r.err}`);
  }
  const bad = await runCli(t, "evaluate", "--checkpoint", ckpt, "--device", "tpu");
  assert.match(bad.err, /unknown device 'tpu'/);
});
