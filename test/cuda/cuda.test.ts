// CUDA checks, skipped with a visible reason where this engine has no CUDA or no GPU is visible
// (run them with `npm run gpu-check` on a GPU machine): every fixture op and its gradient on the
// GPU against the CPU, an optimizer step, 20 AUNCE training steps following the CPU's loss curve
// (fp32, deterministic cuDNN), exact resume, AMP steps finite and close to fp32, flat memory.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  cudaAvailable, cudaBuilt, cudaMemory, fromArray, liveTensors, runOp, runOpMulti, tidy, type Arg, type Tensor,
} from "../../src/tensor/index.ts";
import { AdamW, Parameter } from "../../src/nn/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/trainer.ts";
import { decode, isEncoded, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const skip = !cudaBuilt() ? "this engine has no CUDA (npm run gpu-check builds one on a GPU machine)" : !cudaAvailable() ? "no CUDA GPU visible" : false;

interface OpCase { name: string; op: string; args: unknown[]; out: EncodedTensor | EncodedTensor[]; grad: boolean; tol: number; nograd: number[] }
const { cases } = readFixture<{ cases: OpCase[] }>("tensor/ops.json");

const out = () => makeTempDir("aunce-cuda-");

function args(c: OpCase, device: string): Arg[] {
  const mv = (e: EncodedTensor) => {
    const t = decode(e);
    return device === "cpu" ? t : t.toDevice(device);
  };
  return c.args.map((a) => {
    if (isEncoded(a)) return mv(a);
    if (Array.isArray(a) && a.some(isEncoded)) return a.map((x) => (x === null ? null : mv(x as EncodedTensor)));
    return a as Arg;
  });
}
function runCase(c: OpCase, a: Arg[]): Tensor[] {
  return Array.isArray(c.out) ? runOpMulti(c.op, ...a) : [runOp(c.op, ...a)];
}
function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toDevice("cpu").to("float64").data() as Float64Array;
  const y = b.toDevice("cpu").to("float64").data() as Float64Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  return m;
}
// Random-number ops draw from different generators on the two devices.
const RANDOM = /dropout|bernoulli|rand|normal|uniform|multinomial/;

describe("CUDA", { skip }, () => {
  it("every fixture op and its gradients on the GPU equal the CPU's (float32 tolerance)", () => {
    const tol = 1e-4;
    for (const c of cases.filter((x) => !RANDOM.test(x.op) && !RANDOM.test(x.name))) {
      tidy(() => {
        const cpuArgs = args(c, "cpu");
        const gpuArgs = args(c, "cuda:0");
        const grads = c.grad && cpuArgs.some((a) => typeof a === "object" && a !== null && "dtype" in a && String((a as Tensor).dtype).startsWith("float"));
        const inputs = (as: Arg[]) => as.filter((_, i) => !c.nograd.includes(i)).filter((a): a is Tensor => typeof a === "object" && a !== null && "native" in a && (a as Tensor).dtype === "float32");
        if (grads) for (const t of [...inputs(cpuArgs), ...inputs(gpuArgs)]) t.requiresGrad = true;
        const oc = runCase(c, cpuArgs);
        const og = runCase(c, gpuArgs);
        oc.forEach((o, i) => {
          assert.equal(og[i].device, "cuda:0");
          assert.ok(maxDiff(og[i], o) <= tol, `${c.name}: output ${i} differs by ${maxDiff(og[i], o)}`);
        });
        if (grads && oc[0].dtype === "float32") {
          const w = fromArray(Float32Array.from({ length: oc[0].numel }, (_, i) => Math.sin(i * 1.7 + 0.3)), oc[0].shape as number[]);
          oc[0].mul(w).sum().backward();
          og[0].mul(w.toDevice("cuda:0")).sum().backward();
          const ic = inputs(cpuArgs), ig = inputs(gpuArgs);
          ic.forEach((t, i) => {
            if (!t.grad) return;
            assert.ok(maxDiff(ig[i].grad!, t.grad) <= 1e-3, `${c.name}: gradient ${i} differs by ${maxDiff(ig[i].grad!, t.grad)}`);
          });
        }
      });
    }
  });

  it("an AdamW step on the GPU equals the CPU's", () => {
    const run = (device: string) => {
      const w = new Parameter(fromArray(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)), [3, 4]).toDevice(device));
      const opt = new AdamW([w], { lr: 0.01, weightDecay: 0.01 });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        tidy(() => w.mul(w).sum().backward());
        opt.step();
      }
      const v = w.toDevice("cpu").data() as Float32Array;
      opt.dispose();
      w.dispose();
      return Array.from(v);
    };
    const a = run("cpu"), b = run("cuda:0");
    a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-6 * (1 + Math.abs(x)), `w[${i}] ${b[i]} vs ${x}`));
  });

  describe("training on cuda:0", () => {
    let prepared: string;
    before(async () => {
      prepared = await tinyPrepared();
    });
    const cfg = (dir: string, extra: Record<string, unknown> = {}) =>
      resolveConfig(tinyConfig(prepared, dir, { epochs: 10, max_steps: 20, deterministic: true, ...extra }));

    it("20 AUNCE steps follow the CPU loss curve (fp32, deterministic)", async () => {
      const cpu = await train(cfg(out()));
      const gpu = await train(cfg(out(), { device: "cuda:0" }));
      assert.equal(gpu.steps, 20);
      gpu.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) <= 2e-3 * (1 + Math.abs(cpu.losses[i])), `step ${i + 1}: cuda ${l} vs cpu ${cpu.losses[i]}`));
    });

    it("an interrupted and resumed GPU run gives the uninterrupted loss curve exactly", async () => {
      const full = await train(cfg(out(), { device: "cuda:0", max_steps: 8 }));
      const dir = out();
      const ctrl = new AbortController();
      let n = 0;
      const first = await train(cfg(dir, { device: "cuda:0", max_steps: 8 }), { signal: ctrl.signal, events: { step: () => { if (++n === 3) ctrl.abort(); } } });
      const rest = await train(cfg(dir, { device: "cuda:0", max_steps: 8 }), { resume: true });
      assert.deepEqual([...first.losses, ...rest.losses], full.losses);
    });

    for (const amp of ["bf16", "fp16"] as const) {
      it(`--amp ${amp}: finite losses close to fp32`, async () => {
        const fp32 = await train(cfg(out(), { device: "cuda:0", max_steps: 5 }));
        const low = await train(cfg(out(), { device: "cuda:0", max_steps: 5, amp, deterministic: false }));
        assert.ok(low.losses.every(Number.isFinite), `${amp} losses ${low.losses}`);
        const rel = Math.abs(low.losses[0] - fp32.losses[0]) / Math.abs(fp32.losses[0]);
        assert.ok(rel < 0.05, `${amp} first loss ${low.losses[0]} vs ${fp32.losses[0]}`);
      });
    }
  });

  it("GPU memory stays flat over 200 training-like steps (no tensor or allocator growth)", () => {
    const live = liveTensors();
    const w = new Parameter(fromArray(Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i) * 0.01), [256, 256]).toDevice("cuda:0"));
    const x = fromArray(Float32Array.from({ length: 64 * 256 }, (_, i) => Math.cos(i)), [64, 256]).toDevice("cuda:0");
    const opt = new AdamW([w], { lr: 1e-3 });
    const step = () => {
      opt.zeroGrad();
      tidy(() => x.matmul(w).relu().sum().backward());
      opt.step();
    };
    for (let i = 0; i < 20; i++) step(); // warm-up: optimizer state, allocator blocks
    const start = cudaMemory(0).allocated;
    for (let i = 0; i < 200; i++) step();
    assert.equal(cudaMemory(0).allocated, start, "allocated bytes after 200 steps");
    opt.dispose();
    w.dispose();
    x.dispose();
    assert.equal(liveTensors(), live);
  });
});
