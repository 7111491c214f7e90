/**
 * Rewrites the README's generated sections (<!-- facts:NAME --> ... <!-- /facts -->) from the
 * committed results in docs/results/, optionally recording new runs there first.
 *
 *   node --import tsx scripts/readme-facts.ts                                  # rewrite README.md
 *   node --import tsx scripts/readme-facts.ts --check                          # exit 1 if README.md is stale
 *   node --import tsx scripts/readme-facts.ts --add-demo aunce-demo/summary.json   # record a demo run, rewrite
 *   node --import tsx scripts/readme-facts.ts --add-bench tmp/bench/engine.json    # record bench rows, rewrite
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { addBenchFile, addDemoRun, applySections, renderSections, type BenchResults, type DemoResults } from "./facts.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const paths = { readme: `${root}README.md`, demo: `${root}docs/results/demo.json`, bench: `${root}docs/results/bench.json` };

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
const writeJson = (path: string, v: unknown) => writeFileSync(path, JSON.stringify(v, null, 2) + "\n");

try {
  const { values } = parseArgs({ options: { check: { type: "boolean", default: false }, "add-demo": { type: "string", multiple: true, default: [] }, "add-bench": { type: "string", multiple: true, default: [] } } });
  let demo = readJson<DemoResults>(paths.demo);
  let bench = readJson<BenchResults>(paths.bench);
  if (values.check && (values["add-demo"].length || values["add-bench"].length)) throw new Error("--check does not record runs; drop --add-demo/--add-bench");
  for (const f of values["add-demo"]) demo = addDemoRun(demo, readJson(f));
  for (const f of values["add-bench"]) bench = addBenchFile(bench, readJson(f));
  const readme = readFileSync(paths.readme, "utf8");
  const next = applySections(readme, renderSections(demo, bench));
  if (values.check) {
    if (next !== readme) throw new Error("README.md's generated sections differ from docs/results/; run: node --import tsx scripts/readme-facts.ts");
    console.log("README.md facts match docs/results/");
  } else {
    if (values["add-demo"].length) writeJson(paths.demo, demo);
    if (values["add-bench"].length) writeJson(paths.bench, bench);
    writeFileSync(paths.readme, next);
    console.log(next === readme ? "README.md already up to date" : "README.md facts rewritten from docs/results/");
  }
} catch (e) {
  console.error(`readme-facts: ${(e as Error).message}`);
  process.exitCode = 1;
}
