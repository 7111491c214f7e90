import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { BenchFile } from "../../bench/results.ts";
import type { DemoSummary } from "../../src/eval/demo-summary.ts";
import { addBenchFile, addDemoRun, applySections, readSections, renderSections, type BenchResults, type DemoResults } from "../../scripts/facts.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readJson = <T>(p: string): T => JSON.parse(readFileSync(`${root}${p}`, "utf8")) as T;

describe("README facts", () => {
  it("the README's generated sections are exactly what docs/results/ renders", () => {
    const readme = readFileSync(`${root}README.md`, "utf8");
    const sections = renderSections(readJson<DemoResults>("docs/results/demo.json"), readJson<BenchResults>("docs/results/bench.json"));
    const inReadme = readSections(readme);
    assert.deepEqual(Object.keys(inReadme).sort(), Object.keys(sections).sort());
    for (const [name, text] of Object.entries(sections)) {
      assert.ok(text.length > 0, name);
      assert.equal(inReadme[name], text, `README section "${name}" is stale: run node --import tsx scripts/readme-facts.ts`);
    }
  });

  it("scripts/readme-facts.ts --check agrees (exit 0), with a one-line message", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/readme-facts.ts", "--check"], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "README.md facts match docs/results/");
  });

  const summary = (libtorch: string, meanF1: number, defaultConfig = true): DemoSummary => ({
    format: "aunce-demo-summary/1", date: "2026-12-02T03:00:00.000Z", engine: { libtorch, blas: "OpenBLAS", threads: 2, cpuCapability: "AVX2" },
    config: { subjects: 9, sequences: 3, frames: 30, epochs: 10, backbone: "resnet18_w32" }, defaultConfig,
    methods: { aunce: { name: "a", meanF1, meanAuc: 0.5, meanAccuracy: 0.5, perAuF1: {} }, supervised: { name: "s", meanF1: 0.315, meanAuc: 0.55, meanAccuracy: 0.6, perAuF1: {} } },
    alwaysPresentF1: 0.47, testFrames: 270, seconds: 600, stageSeconds: {}, loadAverage: { start: 5, end: 6.04 },
  });

  it("a recorded demo run replaces the one of the same engine and config; the table shows default-option runs only", () => {
    let r: DemoResults = { about: "", runs: [summary("1.13.1", 0.1)] };
    r = addDemoRun(r, summary("1.13.1", 0.18));
    r = addDemoRun(r, summary("2.13.0", 0.2));
    r = addDemoRun(r, { ...summary("1.13.1", 0.3, false), config: { subjects: 6 } });
    assert.deepEqual(r.runs.map((x) => x.methods.aunce.meanF1), [0.18, 0.2, 0.3]);
    const table = renderSections(r, { about: "", rows: [] }).demo.split("\n").filter((l) => l.startsWith("| libtorch"));
    assert.deepEqual(table, [
      "| libtorch 1.13.1, OpenBLAS, 2 threads, AVX2 | 18.0 | 31.5 | 47.0 | 50.0 / 55.0 | 10.0 min (5.0 → 6.0) | 2026-12-02 |",
      "| libtorch 2.13.0, OpenBLAS, 2 threads, AVX2 | 20.0 | 31.5 | 47.0 | 50.0 / 55.0 | 10.0 min (5.0 → 6.0) | 2026-12-02 |",
    ]);
    assert.throws(() => addDemoRun(r, { format: "x" } as never), /not a demo summary/);
    assert.match(renderSections({ about: "", runs: [r.runs[2]] }, { about: "", rows: [] }).demo, /^No run of `npm run demo` with its default options is recorded/);
  });

  it("bench rows are replaced by id, in place, with the bench run as their source", () => {
    const before: BenchResults = { about: "", rows: [{ id: "a", benchmark: "A", ours: "1 s", source: { date: "2026-11-28", note: "old" } }, { id: "b", benchmark: "B", ours: "2 s", source: { date: "2026-11-28" } }] };
    const file: BenchFile = { format: "aunce-bench/1", area: "x", date: "2026-12-02T04:00:00Z", engine: { libtorch: "1.13.1", blas: "OpenBLAS", threads: 2, cpuCapability: "AVX2" }, loadAverage: { start: 2.04, end: 3 }, rows: [{ id: "a", benchmark: "A", ours: "0.9 s", pytorch: "1.0 s", ratio: 0.9 }, { id: "c", benchmark: "C", ours: "3 s" }] };
    const after = addBenchFile(before, file);
    assert.deepEqual(after.rows.map((x) => [x.id, x.ours]), [["a", "0.9 s"], ["b", "2 s"], ["c", "3 s"]]);
    const table = renderSections({ about: "", runs: [summary("1.13.1", 0.18)] }, after).bench.split("\n");
    assert.equal(table[2], "| A | 0.9 s | 1.0 s | 0.90 | 2026-12-02; libtorch 1.13.1, 2 threads; load 2.0–3.0 |");
    assert.equal(table[3], "| B | 2 s |  |  | 2026-11-28 |");
  });

  it("sections are replaced between their markers only, and a missing marker is a clear error", () => {
    const text = "intro\n<!-- facts:demo -->\nold\n<!-- /facts -->\nmiddle\n<!-- facts:bench -->\n<!-- /facts -->\nend\n";
    const out = applySections(text, { demo: "new demo", bench: "| t |" });
    assert.equal(out, "intro\n<!-- facts:demo -->\nnew demo\n<!-- /facts -->\nmiddle\n<!-- facts:bench -->\n| t |\n<!-- /facts -->\nend\n");
    assert.deepEqual(readSections(out), { demo: "new demo", bench: "| t |" });
    assert.throws(() => applySections("no markers", { demo: "x" }), /expected one "<!-- facts:demo -->"/);
  });
});
