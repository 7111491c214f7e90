// Model benchmark: `node --import tsx bench/models.ts [reps]`. Training steps (batch 8, 224x224,
// AdamW, cross-entropy on the ImageNet classifier) of Swin-T and ResNet-50, ours against PyTorch
// (bench/models_torch.py, run by the PyTorch of the same libtorch as our addon: scripts/peer-python.ts;
// threads = ours on both sides), and the AUNCE loss forward+backward at B=32, C=1024, N=12 as a
// share of our Swin-T step (goal <= 5%). Median of `reps` after one warm-up step; wall time. Numbers are noisy on a shared machine: the
// header prints the load average.
import { loadavg, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { writeBenchResults } from "./results.ts";
import { createModel } from "../src/models/registry.ts";
import { aunceLoss } from "../src/losses/index.ts";
import { AdamW, normalize, type Module } from "../src/nn/index.ts";
import { crossEntropy, engineInfo, engineRecord, getNumThreads, manualSeed, rand, randint, randn, tidy } from "../src/tensor/index.ts";
import { peerFor, runPeer } from "../scripts/peer-python.ts";

const reps = Number(process.argv[2] ?? 3);
manualSeed(0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function medianStep(model: Module, batch: number, size: number): number {
  const opt = new AdamW(model.parameters(), { lr: 1e-4, weightDecay: 0.05 });
  const x = randn([batch, 3, size, size]);
  const y = randint(0, 1000, [batch]);
  model.train();
  const times: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t = performance.now();
    model.zeroGrad();
    tidy(() => crossEntropy(model.forward(x), y).backward());
    opt.step();
    if (i > 0) times.push(performance.now() - t);
  }
  x.dispose();
  y.dispose();
  model.zeroGrad();
  return median(times);
}

function aunceMs(b = 32, c = 1024, n = 12): number {
  const z1 = tidy(() => normalize(randn([b, c, n]), 2, 1)).requiresGrad_(true);
  const z2 = tidy(() => normalize(randn([b, c, n]), 2, 1)).requiresGrad_(true);
  const y = tidy(() => rand([b, n]).gt(0.5).to("float32"));
  const draws = Array.from({ length: n }, (_, k) => (k + 0.5) / n); // all three positive types
  const times: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    const t = performance.now();
    tidy(() => aunceLoss(z1, z2, y, { draws }).backward());
    if (i > 0) times.push(performance.now() - t);
    z1.grad = null;
    z2.grad = null;
  }
  for (const t of [z1, z2, y]) t.dispose();
  return median(times);
}

const info = engineInfo();
console.log(`# models bench: reps ${reps}, ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
console.log(`# libtorch ${info.libtorch}, ${info.blas}, threads ${info.threads}`);

const swin = createModel("swin_t");
const swinMs = medianStep(swin, 8, 224);
swin.dispose();
const resnet = createModel("resnet50");
const resnetMs = medianStep(resnet, 8, 224);
resnet.dispose();
const lossMs = aunceMs();

const py = fileURLToPath(new URL("./models_torch.py", import.meta.url));
const peer = peerFor(engineRecord());
const torch = runPeer(peer, py, [reps, getNumThreads()]) as Record<string, number> & { error?: string };
if (torch.error !== undefined) {
  console.error(`models bench: PyTorch peer unavailable: ${torch.error}`);
  process.exit(1);
}
console.log(`# peer: PyTorch ${String(torch.torch)} (${"origin" in peer ? peer.origin : ""}), threads ${torch.threads}`);

const row = (name: string, ours: number, theirs: number) => console.log(`${name.padEnd(34)} ours ${ours.toFixed(0).padStart(7)} ms   pytorch ${theirs.toFixed(0).padStart(7)} ms   ratio ${(ours / theirs).toFixed(2)}`);
row("swin_t train step (B=8, 224)", swinMs, torch.swin_t_step_ms);
row("resnet50 train step (B=8, 224)", resnetMs, torch.resnet50_step_ms);
console.log(`${"aunce loss fwd+bwd (32x1024x12)".padEnd(34)} ours ${lossMs.toFixed(1).padStart(7)} ms   pytorch ${torch.aunce_ms.toFixed(1).padStart(7)} ms   = ${((100 * lossMs) / swinMs).toFixed(2)}% of our Swin-T step (goal <= 5%)`);
console.log(`# load average after: ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
writeBenchResults("models", [
  { id: "models.swin_t.train", benchmark: "Swin-T training step, batch 8, 224", ours: `${(swinMs / 1000).toFixed(2)} s`, pytorch: `${(torch.swin_t_step_ms / 1000).toFixed(2)} s`, ratio: Number((swinMs / torch.swin_t_step_ms).toFixed(2)), values: { ours_ms: swinMs, pytorch_ms: torch.swin_t_step_ms } },
  { id: "models.resnet50.train", benchmark: "ResNet-50 training step, batch 8, 224", ours: `${(resnetMs / 1000).toFixed(2)} s`, pytorch: `${(torch.resnet50_step_ms / 1000).toFixed(2)} s`, ratio: Number((resnetMs / torch.resnet50_step_ms).toFixed(2)), values: { ours_ms: resnetMs, pytorch_ms: torch.resnet50_step_ms } },
  { id: "models.aunce_loss", benchmark: "AUNCE loss fwd+bwd, B=32, C=1024, N=12", ours: `${lossMs.toFixed(1)} ms = ${((100 * lossMs) / swinMs).toFixed(1)}% of a Swin-T step`, pytorch: `${torch.aunce_ms.toFixed(1)} ms`, ratio: Number((lossMs / torch.aunce_ms).toFixed(2)), values: { ours_ms: lossMs, pytorch_ms: torch.aunce_ms } },
]);
