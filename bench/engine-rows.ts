/**
 * One column of bench/engine.ts: measures every row on the addon this process loads
 * (AUNCE_NATIVE) and on the PyTorch peer running the same libtorch, and prints one JSON line.
 * Run by bench/engine.ts in a child process per engine; standalone:
 * `AUNCE_NATIVE=<addon> node --import tsx bench/engine-rows.ts`.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createModel } from "../src/models/registry.ts";
import { createResNet } from "../src/models/backbones/resnet.ts";
import { FrozenResNet } from "../src/models/backbones/resnet-frozen.ts";
import { AdamW, type Module } from "../src/nn/index.ts";
import { crossEntropy, engineInfo, engineRecord, getNumThreads, manualSeed, noGrad, randint, randn, tidy } from "../src/tensor/index.ts";
import { loadedAddonPath } from "../src/native/load.ts";
import { peerFor, runPeer } from "../scripts/peer-python.ts";

const TRAIN_STEPS = Number(process.env.BENCH_TRAIN_STEPS ?? 5);
const INFER_STEPS = Number(process.env.BENCH_INFER_STEPS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const peerDir = fileURLToPath(new URL("./peer/", import.meta.url));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const yieldLoop = () => new Promise((r) => setImmediate(r));

/** One benchmark row: seconds per call for ours and the peer (null: peer unavailable). */
export interface Row {
  id: string;
  label: string;
  /** "s" (seconds per step), "ms" (latency) or "img/s" (batch / seconds) for display */
  unit: "s" | "ms" | "img/s";
  batch: number;
  oursS: number;
  peerS: number | null;
  ratio: number | null;
  oursRoundsS: number[];
  peerRoundsS: (number | null)[];
}

/** Median seconds of `steps` calls after `warmup`, yielding to the event loop between calls. */
async function timeIt(fn: () => void, warmup: number, steps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    await yieldLoop();
    const t0 = performance.now();
    fn();
    if (i >= warmup) times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

/** Training step (batch 8) and inference (batch `inferBatch`) of one model. */
async function trainAndInfer(model: Module, layout: "contiguous" | "channels_last", inferBatch: number, weightDecay?: number): Promise<{ train: number; infer: number }> {
  const opt = new AdamW(model.parameters(), weightDecay === undefined ? { lr: 1e-4 } : { lr: 1e-4, weightDecay });
  const x = randn([8, 3, 224, 224]).contiguous(layout);
  const target = randint(0, 1000, [8]);
  model.train();
  const train = await timeIt(() => {
    opt.zeroGrad();
    tidy(() => crossEntropy(model.forward(x), target).backward());
    opt.step();
  }, 2, TRAIN_STEPS);
  opt.zeroGrad();
  model.eval();
  const xb = inferBatch === 8 ? x : randn([inferBatch, 3, 224, 224]).contiguous(layout);
  const infer = await timeIt(() => noGrad(() => tidy(() => model.forward(xb))), 1, INFER_STEPS);
  for (const t of new Set([x, target, xb])) t.dispose();
  opt.dispose();
  return { train, infer };
}

async function oursResNet(layout: "contiguous" | "channels_last"): Promise<{ train: number; infer: number }> {
  manualSeed(0);
  const model = createResNet("resnet18");
  if (layout === "channels_last") model.toChannelsLast();
  const r = await trainAndInfer(model, layout, 32);
  model.dispose();
  return r;
}

async function oursSwin(): Promise<{ train: number; infer: number }> {
  manualSeed(0);
  const model = createModel("swin_t");
  const r = await trainAndInfer(model, "contiguous", 8, 0.05);
  model.dispose();
  return r;
}

/** Frozen inference latency (batch 1) and throughput (batch 32) of FrozenResNet + the fc layer. */
async function oursFrozen(): Promise<{ b1: number; b32: number }> {
  manualSeed(0);
  const model = createResNet("resnet18");
  model.eval();
  const frozen = new FrozenResNet(model);
  const out: Record<string, number> = {};
  for (const [batch, reps] of [[1, INFER_STEPS * 10], [32, INFER_STEPS]]) {
    const x = randn([batch, 3, 224, 224]);
    out[`b${batch}`] = await timeIt(() => noGrad(() => tidy(() => model.fc!.forward(frozen.forwardPooled(x)))), 3, reps);
    x.dispose();
  }
  frozen.dispose();
  model.dispose();
  return { b1: out.b1, b32: out.b32 };
}

type PeerResult = Record<string, number> & { error?: string };

/** What one engine's run reports (one column of the table, one entry of the JSON). */
export interface EngineResult {
  addon: string;
  engine: { kind: string; version: string; origin: string } | null;
  libtorch: string | number | boolean;
  blas: string | number | boolean;
  onednn: string | number | boolean;
  cpuCapability: string | number | boolean;
  threads: number;
  peer: { python: string; torch: string | null; origin: string; pythonpath: string | null } | { error: string };
  loadavgBefore: number[];
  loadavgAfter: number[];
  rows: Row[];
}

/** Measures every row on the addon this process loaded. */
export async function measureEngine(): Promise<EngineResult> {
  const threads = getNumThreads();
  const addon = loadedAddonPath()!;
  const rec = engineRecord();
  const peer = peerFor(rec, (m: string) => console.error(`  [peer] ${m}`));
  const peerRun = (script: string, args: (string | number)[]): PeerResult | null => {
    const r = runPeer(peer, join(peerDir, script), args) as PeerResult;
    if (r.error) {
      console.error(`  PyTorch peer unavailable: ${r.error}`);
      return null;
    }
    return r;
  };
  const info = engineInfo();
  const loadBefore = loadavg();
  const groups: Record<string, { ours: number[]; peer: (number | null)[] }> = {};
  const add = (id: string, ours: number, theirs: number | null | undefined) => {
    console.error(`    ${id}: ours ${ours.toFixed(4)} s, peer ${theirs == null ? "n/a" : `${theirs.toFixed(4)} s`} (load ${loadavg()[0].toFixed(2)})`);
    groups[id] ??= { ours: [], peer: [] };
    groups[id].ours.push(ours);
    groups[id].peer.push(theirs ?? null);
  };
  let peerTorch: string | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    // Frozen latency first, from a fresh heap (as the peer's fresh process): measured after the
    // training steps it read 20-40% slower, run to run.
    const f = await oursFrozen();
    const g = peerRun("resnet18_frozen.py", [threads, INFER_STEPS]);
    add("resnet18_frozen_b1", f.b1, g?.b1_s);
    add("resnet18_frozen_b32", f.b32, g?.b32_s);
    for (const layout of ["contiguous", "channels_last"] as const) {
      const a = await oursResNet(layout);
      const b = peerRun("resnet18.py", [threads, TRAIN_STEPS, INFER_STEPS, layout]);
      add(`resnet18_train_b8_${layout}`, a.train, b?.train_step_s);
      add(`resnet18_infer_b32_${layout}`, a.infer, b?.infer_batch_s);
    }
    const s = await oursSwin();
    const t = peerRun("swin_t.py", [threads, TRAIN_STEPS, INFER_STEPS]);
    add("swin_t_train_b8", s.train, t?.train_step_s);
    add("swin_t_infer_b8", s.infer, t?.infer_batch_s);
    peerTorch = (t as { torch?: string } | null)?.torch ?? (g as { torch?: string } | null)?.torch ?? peerTorch;
  }
  const meta: Record<string, [string, Row["unit"], number]> = {
    resnet18_train_b8_contiguous: ["ResNet-18 train step b8 (contiguous)", "s", 8],
    resnet18_train_b8_channels_last: ["ResNet-18 train step b8 (channels-last)", "s", 8],
    resnet18_infer_b32_contiguous: ["ResNet-18 inference b32 (contiguous)", "img/s", 32],
    resnet18_infer_b32_channels_last: ["ResNet-18 inference b32 (channels-last)", "img/s", 32],
    resnet18_frozen_b1: ["ResNet-18 frozen b1 (latency)", "ms", 1],
    resnet18_frozen_b32: ["ResNet-18 frozen b32", "img/s", 32],
    swin_t_train_b8: ["Swin-T train step b8", "s", 8],
    swin_t_infer_b8: ["Swin-T inference b8", "img/s", 8],
  };
  const rows: Row[] = Object.entries(meta).map(([id, [label, unit, batch]]) => {
    const g = groups[id];
    const peers = g.peer.filter((v): v is number => v !== null);
    const oursS = median(g.ours);
    const peerS = peers.length === g.peer.length ? median(peers) : null;
    return { id, label, unit, batch, oursS, peerS, ratio: peerS === null ? null : oursS / peerS, oursRoundsS: g.ours, peerRoundsS: g.peer };
  });
  const out: EngineResult = {
    addon,
    engine: rec ? { kind: rec.kind, version: rec.version, origin: rec.origin } : null,
    libtorch: info.libtorch,
    blas: info.blas,
    onednn: info.onednn,
    cpuCapability: info.cpuCapability,
    threads,
    peer: peer.error !== undefined ? { error: peer.error } : { python: peer.python, torch: peerTorch, origin: peer.origin, pythonpath: peer.env.PYTHONPATH ?? null },
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
    rows,
  };
  return out;
}


if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureEngine()));
