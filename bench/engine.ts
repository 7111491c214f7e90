/**
 * Engine benchmark (issue #11): our nn API against PyTorch running the SAME libtorch, in the same
 * run, same threads (the core count on both sides), model, batch and layout, medians after warm-up:
 *   ResNet-18 training step (forward + backward + AdamW, batch 8, 224x224), contiguous and channels-last
 *   ResNet-18 inference, batch 32, eval mode, no grad, contiguous and channels-last
 *   frozen ResNet-18 inference (batch 1 latency, batch 32): our FrozenResNet against
 *     torch.jit.freeze + optimize_for_inference (bench/peer/resnet18_frozen.py)
 *   Swin-T training step (batch 8, 224) and inference (batch 8): ours against scripts/fixtures/swin_ref.py
 * Ratio = our time / PyTorch's time (goal <= 1.0 in every row).
 *
 * bench/engine-rows.ts measures one engine; the peer (scripts/peer-python.ts) is PyTorch on the libtorch the addon was built against: the
 * wheel's folder on PYTHONPATH for a PyTorch 2.x engine, /usr/bin/python3's python3-torch for
 * Debian's 1.13. One process loads one addon, so every engine runs in a child process
 * (AUNCE_NATIVE=<addon>): the default addon, then every other engine's build found in
 * .engine/builds/ (or the addons listed in BENCH_ADDONS, comma-separated); the columns are printed
 * side by side and written to docs/results/bench-engine.json (BENCH_JSON=<path> elsewhere, "" for none).
 * Env: BENCH_TRAIN_STEPS (default 5), BENCH_INFER_STEPS (default 3), BENCH_ROUNDS (default 1:
 * ours then the peer per group; more rounds alternate again and report the median of the rounds).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultAddon, engineRecordOf } from "../scripts/peer-python.ts";
import type { EngineResult, Row } from "./engine-rows.ts";
import { writeBenchResults, type BenchRow } from "./results.ts";

const TRAIN_STEPS = Number(process.env.BENCH_TRAIN_STEPS ?? 5);
const INFER_STEPS = Number(process.env.BENCH_INFER_STEPS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const root = fileURLToPath(new URL("..", import.meta.url));
const load1 = () => Number(loadavg()[0].toFixed(2));

/** The addons to compare: BENCH_ADDONS, else the default one and one build per other engine in .engine/builds/. */
function addonList(): string[] {
  if (process.env.BENCH_ADDONS) return process.env.BENCH_ADDONS.split(",").filter(Boolean).map((p) => resolve(p));
  const first = defaultAddon() as string;
  const list = [first];
  const seen = new Set([engineRecordOf(first)?.version]);
  const builds = join(root, ".engine", "builds");
  if (existsSync(builds)) {
    for (const d of readdirSync(builds).sort()) {
      const p = join(builds, d, "aunce.node");
      const v = existsSync(p) ? engineRecordOf(p)?.version : undefined;
      if (v && !seen.has(v)) {
        seen.add(v);
        list.push(p);
      }
    }
  }
  return list;
}

function show(row: Row, s: number | null): string {
  if (s === null) return "n/a";
  if (row.unit === "s") return `${s.toFixed(3)} s`;
  if (row.unit === "ms") return `${(s * 1000).toFixed(1)} ms`;
  return `${(row.batch / s).toFixed(1)} img/s`;
}

export async function run(): Promise<void> {
  const script = fileURLToPath(new URL("./engine-rows.ts", import.meta.url));
  const results: EngineResult[] = [];
  for (const addon of addonList()) {
    if (!existsSync(addon)) {
      console.log(`  skipping ${addon}: no such addon`);
      continue;
    }
    console.log(`  engine ${engineRecordOf(addon)?.origin ?? addon}: measuring (load ${load1()})`);
    const r = spawnSync(process.execPath, ["--import", "tsx", script], {
      encoding: "utf8",
      env: { ...process.env, AUNCE_NATIVE: addon },
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 16 << 20,
    });
    const last = r.stdout?.trim().split("\n").pop();
    if (r.status !== 0 || !last) {
      console.log(`  engine ${addon} failed (exit ${r.status})`);
      continue;
    }
    const res = JSON.parse(last) as EngineResult;
    results.push(res);
    const peerDesc = "error" in res.peer ? `peer unavailable (${res.peer.error})` : `peer PyTorch ${res.peer.torch} (${res.peer.origin})`;
    console.log(`    libtorch ${res.libtorch}, BLAS ${res.blas}, oneDNN ${res.onednn}, ${res.threads} threads; ${peerDesc}`);
  }
  if (!results.length) {
    process.exitCode = 1;
    return;
  }
  const jsonPath = process.env.BENCH_JSON ?? join(root, "docs", "results", "bench-engine.json");
  if (jsonPath) {
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(benchDocument(results), null, 2)}\n`);
  }
  for (const line of table(results)) console.log(line);
  // The default engine's rows also go to tmp/bench/engine.json, which scripts/readme-facts.ts records.
  writeBenchResults("engine", factRows(results[0]));
  if (jsonPath) console.log(`  wrote ${jsonPath}`);
}

/** README-table ids of the rows (docs/results/bench.json), for scripts/readme-facts.ts. */
const FACT_IDS: Record<string, string> = {
  resnet18_train_b8_contiguous: "engine.resnet18.train.contiguous",
  resnet18_train_b8_channels_last: "engine.resnet18.train.channels_last",
  resnet18_infer_b32_contiguous: "engine.resnet18.infer.contiguous",
  resnet18_infer_b32_channels_last: "engine.resnet18.infer.channels_last",
  resnet18_frozen_b1: "engine.resnet18.frozen.b1",
  resnet18_frozen_b32: "engine.resnet18.frozen.b32",
  swin_t_train_b8: "engine.swin_t.train",
  swin_t_infer_b8: "engine.swin_t.infer",
};
function factRows(r: EngineResult): BenchRow[] {
  return r.rows.map((row) => ({
    id: FACT_IDS[row.id] ?? `engine.${row.id}`,
    benchmark: `${row.label}, libtorch ${r.libtorch}`,
    ours: show(row, row.oursS),
    ...(row.peerS === null ? {} : { pytorch: show(row, row.peerS), ratio: Number((row.oursS / row.peerS).toFixed(2)) }),
    values: { ours_s: row.oursS, ...(row.peerS === null ? {} : { pytorch_s: row.peerS }) },
  }));
}

/** Highest 1-minute load average seen around the runs; above 3 on this class of machine the figures are noisy. */
const maxLoad = (results: EngineResult[]) => Math.max(...results.flatMap((r) => [r.loadavgBefore[0], r.loadavgAfter[0]]));

/** The JSON written to docs/results/bench-engine.json. */
export function benchDocument(results: EngineResult[]) {
  return {
    bench: "engine",
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: availableParallelism() },
    settings: { trainSteps: TRAIN_STEPS, inferSteps: INFER_STEPS, rounds: ROUNDS, statistic: "median seconds per call after warm-up; ratio = ours / PyTorch" },
    noisy: maxLoad(results) > 3,
    engines: results,
  };
}

/** The side-by-side table: one row per benchmark, one column (ours, PyTorch, ratio) per engine. */
export function table(results: EngineResult[]): string[] {
  const w = 42;
  const col = 36;
  const lines = [`  ${"".padEnd(w)}${results.map((r) => `ours / PyTorch ${r.libtorch} / ratio`.padEnd(col)).join("")}`];
  for (let i = 0; i < results[0].rows.length; i++) {
    const cells = results.map((res) => {
      const row = res.rows.find((r) => r.id === results[0].rows[i].id);
      if (!row) return "".padEnd(col);
      return `${show(row, row.oursS).padEnd(12)}${show(row, row.peerS).padEnd(12)}${row.ratio === null ? "" : row.ratio.toFixed(2)}`.padEnd(col);
    });
    lines.push(`  ${results[0].rows[i].label.padEnd(w)}${cells.join("")}`.trimEnd());
  }
  const loads = results.map((r) => `${r.loadavgBefore[0].toFixed(2)} -> ${r.loadavgAfter[0].toFixed(2)}`).join(", ");
  lines.push(`  (ratio = our time / PyTorch's, goal <= 1.0; load average ${loads} on ${availableParallelism()} cores${maxLoad(results) > 3 ? ": NOISY, load > 3" : ""})`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --render FILE: print the table of a saved bench-engine.json again.
  const at = process.argv.indexOf("--render");
  if (at > 0) {
    for (const line of table((JSON.parse(readFileSync(process.argv[at + 1], "utf8")) as { engines: EngineResult[] }).engines)) console.log(line);
  } else await run();
}
