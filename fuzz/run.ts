/**
 * `npm run fuzz [-- --time S] [target...]`: runs each fuzz target (fuzz/targets/*.ts, all by
 * default) under Jazzer.js for S seconds (default 60). Seeds come from fuzz/corpus/<target>/; the
 * inputs Jazzer.js finds interesting go to a scratch folder (not committed); a crashing input is
 * written to fuzz/corpus/<target>/crash-<sha1>, where `npm test` (test/fuzz/replay.test.ts)
 * replays it from then on. Exits 1 when any target had a finding.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
// @ts-expect-error: plain-JS helper without type declarations
import { jazzerEnv } from "./jazzer-compat.mjs";
import { TARGETS } from "./targets/index.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { time: { type: "string", default: "60" }, "max-len": { type: "string", default: "16384" }, seed: { type: "string" } },
});
const seconds = Number(values.time);
if (!Number.isInteger(seconds) || seconds < 1) {
  console.error(`npm run fuzz: --time must be a whole number of seconds >= 1, got '${values.time}'`);
  process.exit(2);
}
const unknown = positionals.filter((t) => !(t in TARGETS));
if (unknown.length) {
  console.error(`npm run fuzz: unknown target ${unknown.join(", ")} (targets: ${Object.keys(TARGETS).join(", ")})`);
  process.exit(2);
}
const targets = positionals.length ? positionals : Object.keys(TARGETS);

let env: Record<string, string>;
try {
  env = jazzerEnv() as Record<string, string>;
} catch (err) {
  console.error(`npm run fuzz: ${(err as Error).message}`);
  process.exit(2);
}
const jazzerCli = join(dirname(createRequire(import.meta.url).resolve("@jazzer.js/core/package.json")), "dist", "cli.js");
const scratch = mkdtempSync(join(tmpdir(), "aunce-fuzz-work-"));
const findings: string[] = [];
try {
  for (const target of targets) {
    const corpus = join(root, "fuzz", "corpus", target);
    mkdirSync(corpus, { recursive: true });
    const work = join(scratch, target);
    mkdirSync(work);
    const before = new Set(readdirSync(corpus));
    console.log(`# fuzz ${target}: ${seconds} s, seeds from fuzz/corpus/${target}/ (${before.size} files)`);
    const r = spawnSync(
      process.execPath,
      [
        "--import", "tsx", jazzerCli, join(root, "fuzz", "targets", target) /* Jazzer.js appends .js; tsx maps it to the .ts */, work, corpus,
        "--includes", join(root, "src") + "/", "--includes", "node_modules/yauzl/", "--includes", "node_modules/yaml/",
        "--excludes", join(root, "fuzz") + "/", "--timeout", "10000", "--",
        `-max_total_time=${seconds}`, `-max_len=${values["max-len"]}`, "-rss_limit_mb=3072", `-artifact_prefix=${corpus}/`,
        ...(values.seed ? [`-seed=${values.seed}`] : []),
      ],
      { cwd: root, stdio: "inherit", env: { ...process.env, ...env } },
    );
    // libFuzzer names what it keeps after the kind of finding: crash-, timeout-, oom-, ... <sha1>.
    const crashes = readdirSync(corpus).filter((f) => !before.has(f) && /^(crash|timeout|oom|leak|slow-unit)-/.test(f));
    if (r.status !== 0 || crashes.length) {
      findings.push(`${target}: exit ${r.status ?? r.signal}${crashes.length ? `, input kept as ${crashes.map((c) => `fuzz/corpus/${target}/${c}`).join(", ")}` : ""}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (findings.length) {
  console.error(`\nfuzz findings:\n  ${findings.join("\n  ")}`);
  process.exit(1);
}
console.log(`\nfuzz: no findings in ${targets.length} target(s), ${seconds} s each`);
