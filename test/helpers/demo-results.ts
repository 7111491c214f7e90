/** Checks a demo run's summary against the recorded run of the same engine and config (docs/results/demo.json). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { engineLabel, type DemoSummary } from "../../src/eval/demo-summary.ts";
import { recordedRun, type DemoResults } from "../../scripts/facts.ts";

/** The figures a rerun on the same engine and config must reproduce exactly. */
export const figures = (s: DemoSummary) => ({ methods: s.methods, alwaysPresentF1: s.alwaysPresentF1, testFrames: s.testFrames });

/** Subtest of `t`: the summary's figures equal the recorded run's, or a visible skip when none is recorded. */
export async function matchesRecordedRun(t: TestContext, summary: DemoSummary, command: string): Promise<void> {
  await t.test(`figures match docs/results/demo.json for ${engineLabel(summary.engine)}`, (st) => {
    const results = JSON.parse(readFileSync(new URL("../../docs/results/demo.json", import.meta.url), "utf8")) as DemoResults;
    const recorded = recordedRun(results, summary);
    if (!recorded) {
      st.skip(`no recorded run for this engine and config; record one: ${command} && node --import tsx scripts/readme-facts.ts --add-demo <out>/summary.json`);
      return;
    }
    assert.deepEqual(figures(summary), figures(recorded), `the demo's figures changed; if intended, re-record: ${command} && node --import tsx scripts/readme-facts.ts --add-demo <out>/summary.json`);
  });
}
