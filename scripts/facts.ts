/**
 * README facts rendered from recorded runs, so the figures the README states cannot drift from
 * the runs they came from. The README marks each generated section:
 *
 *   <!-- facts:demo --> ... <!-- /facts -->    from docs/results/demo.json (demo summaries)
 *   <!-- facts:bench --> ... <!-- /facts -->   from docs/results/bench.json (bench rows)
 *
 * scripts/readme-facts.ts rewrites or checks them; test/scripts/readme-facts.test.ts checks the
 * committed README against the committed results.
 */
import type { BenchFile, BenchRow } from "../bench/results.ts";
import { engineLabel, sameRun, type DemoEngine, type DemoSummary } from "../src/eval/demo-summary.ts";

/** docs/results/demo.json: the recorded demo summaries, newest replacing an older one of the same engine and config. */
export interface DemoResults {
  about: string;
  runs: DemoSummary[];
}

/** Where a bench row's figures came from. */
export interface BenchSource {
  date: string;
  engine?: DemoEngine;
  loadAverage?: { start: number; end: number };
  /** How it was obtained, when not a bench JSON file (e.g. figures carried over from earlier runs' console output). */
  note?: string;
}

/** docs/results/bench.json: the README's performance table, one row per `id`, in table order. */
export interface BenchResults {
  about: string;
  rows: (BenchRow & { source: BenchSource })[];
  /** Numbered notes under the table; rows cite them as "[n]". */
  notes?: string[];
}

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");
const day = (iso: string) => iso.slice(0, 10);

/** The demo section: one table row per engine among the runs of `npm run demo` as shipped (default options). */
export function renderDemo(r: DemoResults): string {
  const runs = r.runs.filter((x) => x.defaultConfig);
  if (!runs.length) {
    return "No run of `npm run demo` with its default options is recorded in [docs/results/demo.json](docs/results/demo.json) yet\n(record one: `node --import tsx scripts/readme-facts.ts --add-demo aunce-demo/summary.json`).";
  }
  const c = runs[0].config;
  const lines = [
    `The demo's figures, as recorded from \`npm run demo\` runs in [docs/results/demo.json](docs/results/demo.json)`,
    `(${c.subjects} synthetic subjects x ${c.sequences} sequences x ${c.frames} frames, \`${c.backbone}\` from scratch, ${c.epochs} epochs;`,
    "mean F1 and ROC-AUC in % on the test fold's synthetic subjects, never seen in training). Runs on the same",
    "engine print the same tables; the test suite re-runs a small slice of the demo and checks it against",
    "its own recording, and this paragraph against the results file.",
    "",
    "| engine | AUNCE + linear eval, mean F1 | supervised baseline, mean F1 | always \"present\", mean F1 | ROC-AUC, AUNCE / supervised | demo time (1-min load average at start → end) | date |",
    "|---|---:|---:|---:|---:|---|---|",
    ...runs.map(
      (x) =>
        `| ${engineLabel(x.engine)} | ${pct(x.methods.aunce.meanF1)} | ${pct(x.methods.supervised.meanF1)} | ${pct(x.alwaysPresentF1)} | ${pct(x.methods.aunce.meanAuc)} / ${pct(x.methods.supervised.meanAuc)} | ` +
        `${(x.seconds / 60).toFixed(1)} min (${x.loadAverage.start.toFixed(1)} → ${x.loadAverage.end.toFixed(1)}) | ${day(x.date)} |`,
    ),
  ];
  return lines.join("\n");
}

/** The performance table. */
export function renderBench(r: BenchResults): string {
  const src = (s: BenchSource) =>
    [day(s.date), s.engine ? `libtorch ${s.engine.libtorch}, ${s.engine.threads} threads` : "", s.loadAverage ? `load ${s.loadAverage.start.toFixed(1)}–${s.loadAverage.end.toFixed(1)}` : "", s.note ?? ""].filter(Boolean).join("; ");
  return [
    "| benchmark | ours | PyTorch | ratio | measured |",
    "|---|---|---|---|---|",
    ...r.rows.map((x) => `| ${x.benchmark} | ${x.ours} | ${x.pytorch ?? ""} | ${x.ratio === undefined ? "" : x.ratio.toFixed(2)} | ${src(x.source)} |`),
    ...(r.notes?.length ? ["", ...r.notes.map((n, k) => `- [${k + 1}] ${n}`)] : []),
  ].join("\n");
}

/** Every generated section, by marker name. */
export function renderSections(demo: DemoResults, bench: BenchResults): Record<string, string> {
  return { demo: renderDemo(demo), bench: renderBench(bench) };
}

const MARKER = /<!-- facts:([a-z-]+) -->\n[\s\S]*?<!-- \/facts -->/g;

/** The marked sections of a README: name -> content between the markers. */
export function readSections(readme: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of readme.matchAll(/<!-- facts:([a-z-]+) -->\n([\s\S]*?)\n?<!-- \/facts -->/g)) out[m[1]] = m[2];
  return out;
}

/** `readme` with each marked section replaced by its rendering; every section must be marked exactly once. */
export function applySections(readme: string, sections: Record<string, string>): string {
  for (const name of Object.keys(sections)) {
    const n = readme.split(`<!-- facts:${name} -->`).length - 1;
    if (n !== 1) throw new Error(`README: expected one "<!-- facts:${name} -->" ... "<!-- /facts -->" section, found ${n}`);
  }
  return readme.replace(MARKER, (whole, name: string) => (name in sections ? `<!-- facts:${name} -->\n${sections[name]}\n<!-- /facts -->` : whole));
}

/** `results` with `summary` recorded: replaces the run of the same engine and config, else appends. */
export function addDemoRun(results: DemoResults, summary: DemoSummary): DemoResults {
  if (summary.format !== "aunce-demo-summary/1") throw new Error(`not a demo summary (format ${JSON.stringify(summary.format)})`);
  const runs = results.runs.filter((x) => !sameRun(x, summary));
  return { ...results, runs: [...runs, summary] };
}

/** `results` with a bench file's rows recorded: rows of the same id are replaced in place, new ids appended. */
export function addBenchFile(results: BenchResults, file: BenchFile): BenchResults {
  if (file.format !== "aunce-bench/1") throw new Error(`not a bench results file (format ${JSON.stringify(file.format)})`);
  const source: BenchSource = { date: file.date, engine: file.engine, loadAverage: file.loadAverage };
  const rows = [...results.rows];
  for (const row of file.rows) {
    const i = rows.findIndex((x) => x.id === row.id);
    if (i >= 0) rows[i] = { ...row, source };
    else rows.push({ ...row, source });
  }
  return { ...results, rows };
}

/** The recorded demo run for `probe`'s engine and config, if any. */
export function recordedRun(results: DemoResults, probe: Pick<DemoSummary, "engine" | "config">): DemoSummary | undefined {
  return results.runs.find((x) => sameRun(x, probe));
}
