/**
 * Shared by the memory benchmarks (bench/memory-video.ts, bench/memory-train.ts): one memory
 * sample, the summary of a series (warm-up, slope and growth after it, pass/fail against a bound),
 * the printed table and the JSON file.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname } from "node:path";
import { liveTensors } from "../src/tensor/index.ts";

const MiB = 2 ** 20;

/** One reading: `x` is the progress (frames or steps) when it was taken, `t` the seconds since the start. */
export interface MemorySample {
  t: number;
  x: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Memory outside the JS heap that V8 knows about (Buffers, typed arrays). */
  externalMiB: number;
  /** Native tensors alive in the tensor layer. */
  liveTensors: number;
}

/** Reads the process's memory now (RSS covers every thread: the decoder/loader workers too). */
export function sampleMemory(t: number, x: number): MemorySample {
  const m = process.memoryUsage();
  const r = (v: number) => Math.round((v / MiB) * 10) / 10;
  return { t: Math.round(t * 10) / 10, x, rssMiB: r(m.rss), heapUsedMiB: r(m.heapUsed), externalMiB: r(m.external), liveTensors: liveTensors() };
}

/** What a series shows after its warm-up. */
export interface MemorySummary {
  /** Progress (frames/steps) where the warm-up ends; the samples from there on are judged. */
  warmupEnd: number;
  samplesAfterWarmup: number;
  rssAtWarmupMiB: number;
  rssEndMiB: number;
  rssPeakAfterWarmupMiB: number;
  /** Least-squares slope of RSS over progress after the warm-up, in MiB per 1,000 frames/steps. */
  slopeMiBPer1000: number;
  /** RSS at the end minus RSS at the end of the warm-up. */
  growthMiB: number;
  /** The fitted trend over the judged span (slope x span). */
  trendGrowthMiB: number;
  liveTensorsMin: number;
  liveTensorsMax: number;
  heapUsedAtWarmupMiB: number;
  heapUsedEndMiB: number;
  boundMiB: number;
  /** Both the growth and the trend growth stay under the bound. */
  pass: boolean;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/**
 * Judges the samples taken at or after `warmupEnd` (progress units): the first of them is the
 * reference. Throws when fewer than two samples are left to judge.
 */
export function summarize(samples: readonly MemorySample[], warmupEnd: number, boundMiB: number): MemorySummary {
  const after = samples.filter((s) => s.x >= warmupEnd);
  if (after.length < 2) throw new Error(`only ${after.length} sample(s) after the warm-up (ends at ${warmupEnd}); run longer or sample more often`);
  const first = after[0];
  const last = after[after.length - 1];
  const k = slope(after.map((s) => s.x), after.map((s) => s.rssMiB));
  const growth = last.rssMiB - first.rssMiB;
  const trend = k * (last.x - first.x);
  const r1 = (v: number) => Math.round(v * 10) / 10;
  return {
    warmupEnd,
    samplesAfterWarmup: after.length,
    rssAtWarmupMiB: first.rssMiB,
    rssEndMiB: last.rssMiB,
    rssPeakAfterWarmupMiB: Math.max(...after.map((s) => s.rssMiB)),
    slopeMiBPer1000: Math.round(k * 1000 * 100) / 100,
    growthMiB: r1(growth),
    trendGrowthMiB: r1(trend),
    liveTensorsMin: Math.min(...after.map((s) => s.liveTensors)),
    liveTensorsMax: Math.max(...after.map((s) => s.liveTensors)),
    heapUsedAtWarmupMiB: first.heapUsedMiB,
    heapUsedEndMiB: last.heapUsedMiB,
    boundMiB,
    pass: growth < boundMiB && trend < boundMiB,
  };
}

/** One progress line on stderr as a sample is taken (a run stopped early still shows its series). */
export function logSample(s: MemorySample, unit: string): void {
  console.error(`  ${s.t.toFixed(0)} s, ${unit} ${s.x}: RSS ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapUsedMiB.toFixed(1)} MiB, ${s.liveTensors} tensors`);
}

/** Prints at most `rows` evenly spaced samples (always the first, the warm-up end and the last). */
export function printSamples(samples: readonly MemorySample[], unit: string, warmupEnd: number, rows = 24): void {
  const step = Math.max(1, Math.ceil(samples.length / rows));
  const warmIdx = samples.findIndex((s) => s.x >= warmupEnd);
  console.log(`${"s".padStart(7)}  ${unit.padStart(7)}  ${"RSS MiB".padStart(8)}  ${"heap MiB".padStart(8)}  ${"ext MiB".padStart(8)}  ${"tensors".padStart(7)}`);
  samples.forEach((s, i) => {
    if (i % step && i !== samples.length - 1 && i !== warmIdx) return;
    const mark = i === warmIdx ? "  <- warm-up ends" : "";
    console.log(`${s.t.toFixed(0).padStart(7)}  ${String(s.x).padStart(7)}  ${s.rssMiB.toFixed(1).padStart(8)}  ${s.heapUsedMiB.toFixed(1).padStart(8)}  ${s.externalMiB.toFixed(1).padStart(8)}  ${String(s.liveTensors).padStart(7)}${mark}`);
  });
}

/** Prints the verdict line. */
export function printSummary(s: MemorySummary, unit: string): void {
  console.log(`after the warm-up (${unit} >= ${s.warmupEnd}, ${s.samplesAfterWarmup} samples): RSS ${s.rssAtWarmupMiB} -> ${s.rssEndMiB} MiB (peak ${s.rssPeakAfterWarmupMiB}), ` +
    `growth ${s.growthMiB} MiB, trend ${s.slopeMiBPer1000} MiB per 1,000 ${unit} (${s.trendGrowthMiB} MiB over the span), ` +
    `live tensors ${s.liveTensorsMin}..${s.liveTensorsMax}, JS heap ${s.heapUsedAtWarmupMiB} -> ${s.heapUsedEndMiB} MiB`);
  console.log(`${s.pass ? "PASS" : "FAIL"}: RSS growth after warm-up ${s.growthMiB} MiB (trend ${s.trendGrowthMiB} MiB) ${s.pass ? "<" : "not <"} ${s.boundMiB} MiB`);
}

/** The machine facts a result file carries. */
export function machine(): Record<string, unknown> {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?";
  return { cpu, node: process.version, loadAverage: loadavg().map((v) => Math.round(v * 100) / 100), mallocMmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null };
}

/** Writes the result as pretty JSON (folders made as needed). */
export function writeResult(file: string, result: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 1) + "\n");
  console.log(`results -> ${file}`);
}
