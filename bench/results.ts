/**
 * Machine-readable bench results: every benchmark also writes what it printed as JSON
 * (`tmp/bench/<area>.json`, or `$AUNCE_BENCH_OUT/<area>.json`), with the engine and the load
 * average around the run. `node --import tsx scripts/readme-facts.ts --add-bench <file>` records
 * such a file's rows in docs/results/bench.json, from which the README's performance table is
 * rendered (rows are matched by `id`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { engineInfo } from "../src/tensor/index.ts";

/** One measured row, as the README table shows it (values already formatted with their units). */
export interface BenchRow {
  /** Stable key of the README table row this measures (e.g. "engine.resnet18.train.contiguous"). */
  id: string;
  /** What was measured, in words. */
  benchmark: string;
  ours: string;
  pytorch?: string;
  /** ours / PyTorch (lower is better), when there is a peer. */
  ratio?: number;
  /** The raw numbers behind the strings (seconds, images/s, ...). */
  values?: Record<string, number>;
}

/** A bench file: format "aunce-bench/1". */
export interface BenchFile {
  format: "aunce-bench/1";
  area: string;
  date: string;
  /** The engine when the file was written; `threads` is its thread count then (a bench that varies it, as detect does, records each row's in `values.threads`). */
  engine: { libtorch: string; blas: string; threads: number; cpuCapability: string };
  loadAverage: { start: number; end: number };
  rows: BenchRow[];
}

const loadAtStart = loadavg()[0];

/** Writes `rows` as `<dir>/<area>.json`; returns the path. */
export function writeBenchResults(area: string, rows: BenchRow[]): string {
  const info = engineInfo();
  const dir = process.env.AUNCE_BENCH_OUT ? resolve(process.env.AUNCE_BENCH_OUT) : fileURLToPath(new URL("../tmp/bench", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file: BenchFile = {
    format: "aunce-bench/1",
    area,
    date: new Date().toISOString(),
    engine: { libtorch: String(info.libtorch), blas: String(info.blas), threads: Number(info.threads), cpuCapability: String(info.cpuCapability) },
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    rows,
  };
  const path = join(dir, `${area}.json`);
  writeFileSync(path, JSON.stringify(file, null, 2) + "\n");
  console.log(`results: ${path}`);
  return path;
}
