// The memory benchmarks' verdict: slope and growth judged only after the warm-up.
import assert from "node:assert/strict";
import { test } from "node:test";
import { summarize, type MemorySample } from "../../bench/memory-report.ts";

const series = (rss: (x: number) => number): MemorySample[] =>
  Array.from({ length: 11 }, (_, i) => ({ t: i, x: i * 1000, rssMiB: rss(i * 1000), heapUsedMiB: 10, externalMiB: 1, liveTensors: 5 }));

test("summarize: the warm-up climb is not judged; a steady climb after it fails", () => {
  // +80 MiB over the first 2,000 steps (allocator warm-up), then flat.
  const warm = summarize(series((x) => 300 + Math.min(x, 2000) * 0.04), 2000, 32);
  assert.equal(warm.rssAtWarmupMiB, 380);
  assert.equal(warm.growthMiB, 0);
  assert.equal(warm.slopeMiBPer1000, 0);
  assert.equal(warm.samplesAfterWarmup, 9);
  assert.equal(warm.pass, true);
  // 5 MiB per 1,000 after the warm-up: 40 MiB over 8,000 steps, over the 32 MiB bound.
  const leak = summarize(series((x) => 300 + 0.005 * x), 2000, 32);
  assert.equal(leak.slopeMiBPer1000, 5);
  assert.equal(leak.growthMiB, 40);
  assert.equal(leak.trendGrowthMiB, 40);
  assert.equal(leak.pass, false);
  assert.equal(leak.liveTensorsMin, 5);
  assert.throws(() => summarize(series(() => 300), 10000, 32), /only 1 sample\(s\) after the warm-up/);
});
