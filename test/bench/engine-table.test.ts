// The engine benchmark's report: one column per engine, ratios ours / PyTorch, missing peers as
// n/a, and a noisy-load warning (bench/engine.ts; no addon is loaded here).
import assert from "node:assert/strict";
import { test } from "node:test";
import { benchDocument, table } from "../../bench/engine.ts";
import type { EngineResult, Row } from "../../bench/engine-rows.ts";

const row = (id: string, unit: Row["unit"], batch: number, oursS: number, peerS: number | null): Row => ({
  id, label: id, unit, batch, oursS, peerS, ratio: peerS === null ? null : oursS / peerS, oursRoundsS: [oursS], peerRoundsS: [peerS],
});
const engine = (libtorch: string, load: number, rows: Row[]): EngineResult => ({
  addon: `/x/${libtorch}/aunce.node`, engine: null, libtorch, blas: "MKL", onednn: "3.12", cpuCapability: "AVX2", threads: 2,
  peer: { python: "python3", torch: libtorch, origin: "test", pythonpath: null }, loadavgBefore: [load, 0, 0], loadavgAfter: [load, 0, 0], rows,
});

test("two engines side by side: times in each row's unit, ratio ours/PyTorch, n/a without a peer", () => {
  const a = engine("2.13.0", 1, [row("train", "s", 8, 0.5, 0.25), row("infer", "img/s", 32, 0.5, 1), row("lat", "ms", 1, 0.02, null)]);
  const b = engine("1.13.0", 1, [row("train", "s", 8, 0.6, 0.6), row("infer", "img/s", 32, 1, 0.5), row("lat", "ms", 1, 0.03, 0.01)]);
  const lines = table([a, b]);
  assert.match(lines[0], /PyTorch 2\.13\.0.*PyTorch 1\.13\.0/);
  assert.match(lines[1], /^ {2}train +0\.500 s +0\.250 s +2\.00 +0\.600 s +0\.600 s +1\.00$/);
  assert.match(lines[2], /64\.0 img\/s +32\.0 img\/s +0\.50 +32\.0 img\/s +64\.0 img\/s +2\.00$/);
  assert.match(lines[3], /20\.0 ms +n\/a +30\.0 ms +10\.0 ms +3\.00$/);
  assert.doesNotMatch(lines.at(-1)!, /NOISY/);
  assert.equal(benchDocument([a, b]).noisy, false);
});

test("a run at load above 3 is flagged noisy in the table and the JSON", () => {
  const a = engine("2.13.0", 3.5, [row("train", "s", 8, 0.5, 0.5)]);
  assert.match(table([a]).at(-1)!, /NOISY, load > 3/);
  const doc = benchDocument([a]);
  assert.equal(doc.noisy, true);
  assert.deepEqual(JSON.parse(JSON.stringify(doc)).engines[0].rows[0].ratio, 1);
});
