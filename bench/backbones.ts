// Training cost of the AU backbones: one forward + backward (+ AdamW step) of the supervised
// ME-GraphAU model (12 AUs) on a batch of 32, frozen backbone vs trained, at the sizes recommended
// in docs/models.md. After a warm-up step: wall time best of --reps (5), CPU time their mean; on
// the CPU with the engine's default threads.
//   node --import tsx bench/backbones.ts [--device cuda] [--batch 32] [--reps 5] [--only faceapi]
import { loadavg } from "node:os";
import { weightedAsymmetricLoss } from "../src/losses/index.ts";
import { createAuModel } from "../src/models/registry.ts";
import { AdamW } from "../src/nn/index.ts";
import { cudaSynchronize, manualSeed, noGrad, rand, randn, tidy, type Tensor } from "../src/tensor/index.ts";

const arg = (k: string, d: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const device = arg("--device", "cpu");
const batch = Number(arg("--batch", "32"));
const reps = Number(arg("--reps", "5"));
const rows: [string, number, boolean][] = [
  ["resnet18_w32", 96, false],
  ["faceapi_expression", 112, false], ["faceapi_expression", 112, true],
  ["faceapi_recognition", 112, false], ["faceapi_recognition", 112, true],
  ["faceapi_recognition", 150, false], ["faceapi_recognition", 150, true],
];
const only = arg("--only", "");
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}; device ${device}; batch ${batch}`);
console.log("| backbone | input | backbone | parameters trained | wall ms / step (best) | CPU ms / step (mean) |\n|---|---:|---|---:|---:|---:|");
for (const [backbone, size, frozen] of rows) {
  if (only && !backbone.includes(only)) continue;
  manualSeed(1);
  const net = createAuModel({ backbone, numAus: 12, method: "megraphau" });
  if (device !== "cpu") net.toDevice(device);
  net.train();
  if (frozen) {
    for (const p of net.backbone.parameters()) p.requiresGrad = false;
    net.backbone.eval();
  }
  const bb = new Set(frozen ? net.backbone.parameters() : []);
  const params = net.parameters().filter((p) => !bb.has(p));
  const opt = new AdamW(params, { lr: 1e-4 });
  const x = randn([batch, 3, size, size], { device });
  const y = rand([batch, 12], { device }).gt(0.5).float();
  const step = () => {
    tidy(() => {
      opt.zeroGrad();
      const out: Tensor = frozen ? net.fromTokens(noGrad(() => net.backbone.forwardTokens(x))) : net.forward(x);
      weightedAsymmetricLoss(out, y, null).backward();
    });
    opt.step();
    if (device !== "cpu") cudaSynchronize();
  };
  step();
  // Wall time (best of reps) and the process's CPU time per step (mean; user + system over all
  // threads): on a shared machine the CPU time says more about the work than the wall clock.
  let best = Infinity;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    step();
    best = Math.min(best, performance.now() - t);
  }
  const c = process.cpuUsage(cpu0);
  const cpuMs = (c.user + c.system) / 1000 / reps;
  const n = params.reduce((a, p) => a + p.numel, 0);
  console.log(`| ${backbone} | ${size} | ${frozen ? "frozen" : "trained"} | ${(n / 1e6).toFixed(2)} M | ${best.toFixed(0)} | ${cpuMs.toFixed(0)} |`);
  x.dispose();
  y.dispose();
  opt.dispose();
  net.dispose();
}
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
