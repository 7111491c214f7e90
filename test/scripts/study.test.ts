// The study script end to end at toy scale (tiny SynthAU, 1 epoch, resnet_tiny; two arms run, AUNCE +
// linear eval and supervised, at 0% and 40% noise; the fine-tuning arm is planned but not run, as a
// partial study is reported): --plan lists the runs with estimates, an interrupted run resumes, the
// report's numbers are the metric files', and a rerun trains nothing.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { computeMetrics } from "../../src/eval/metrics.ts";
import { readPredictions } from "../../src/eval/predictions.ts";
import { planRuns, readDesign } from "../../scripts/study/design.ts";
import { studyMain } from "../../scripts/study/main.ts";
import { executeRun, prepareData, runState } from "../../scripts/study/run.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const root = makeTempDir("aunce-study-");
const design = join(root, "toy.yaml");
writeFileSync(design, `
name: toy
title: "Toy study"
out: ${join(root, "out")}
data: { style: bp4d, subjects: 6, sequences: 1, frames: 4, size: 64, seed: 5 }
noise_seed: 97
train: { backbone: resnet_tiny, crop_size: 48, batch_size: 4, lr: 1.0e-3, checkpoint_every: 0 }
epochs: 1
linear_eval: { epochs: 2 }
folds: [1]
noise: [0, 0.4]
arms:
  - { id: aunce, label: "AUNCE + linear eval", method: aunce }
  - { id: supervised, label: "supervised", method: supervised }
  - { id: finetune, label: "from the encoder", method: supervised, init: aunce, noise: [0] }
bootstrap: { resamples: 50, seed: 3 }
claims:
  - { id: c1, text: "AUNCE beats supervised", kind: better, arm: aunce, than: supervised, noise: 0, metric: f1 }
  - { id: c2, text: "AUNCE resists noise", kind: robust, arm: aunce, than: supervised, clean: 0, noisy: 0.4, metric: f1 }
report: { doc: ${join(root, "docs", "experiments.md")}, plots: ${join(root, "docs", "experiments", "toy")} }
`);
mkdirSync(join(root, "docs"));
writeFileSync(join(root, "docs", "experiments.md"), "# Experiments\n\nintro\n\n<!-- study:toy -->\nstale\n<!-- /study -->\n\ntail\n");

/** Runs the study command, returning its exit code and what it printed. */
async function study(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const [log, error] = [console.log, console.error];
  let out = "", err = "";
  console.log = (...a: unknown[]) => void (out += a.join(" ") + "\n");
  console.error = (...a: unknown[]) => void (err += a.join(" ") + "\n");
  try {
    return { code: await studyMain([design, "--workers", "1", "--device", "cpu", "--arms", "aunce,supervised", ...args]), out, err };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

const pct = (x: number) => (100 * x).toFixed(1);

describe("study script (toy scale)", () => {
  const d = readDesign(design);
  const runs = planRuns(d, { arms: ["aunce", "supervised"] });
  const dirOf = (name: string) => join(root, "out", "runs", name);

  it("orders the encoder before the run that starts from it", () => {
    assert.deepEqual(planRuns(d).map((r) => r.name), ["aunce-noise00-fold1", "supervised-noise00-fold1", "finetune-noise00-fold1", "aunce-noise40-fold1", "supervised-noise40-fold1"]);
    assert.deepEqual(runs.map((r) => r.name), ["aunce-noise00-fold1", "supervised-noise00-fold1", "aunce-noise40-fold1", "supervised-noise40-fold1"]);
    assert.deepEqual(planRuns(d, { arms: ["finetune"] }).map((r) => r.name), ["aunce-noise00-fold1", "finetune-noise00-fold1"]);
    assert.throws(() => planRuns(d, { noise: [0.2] }), /not a noise level of toy/);
  });

  it("--plan probes the timing and lists every run with an estimate", async () => {
    const r = await study("--plan", "--probe_steps", "1", "--probe_warmup", "2");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /probe: 2 AUNCE warm-up steps \(not measured\)/);
    assert.match(r.out, /medians of 1 steps after 2 warm-up steps/);
    assert.equal(JSON.parse(readFileSync(join(root, "out", "probe.json"), "utf8")).warmupSteps, 2);
    for (const run of runs) assert.match(r.out, new RegExp(`\\| ${run.name} \\| .* \\| new \\| 4 \\| 16 \\| \\d+ s \\|`));
    assert.match(r.out, /Timing probe .* s per AUNCE step .* 1-min load/);
    assert.match(r.out, /Total left: .* for 4 of 4 runs/);
  });

  it("an interrupted run resumes; the report's numbers are the metric files'; a rerun trains nothing", async () => {
    await prepareData(d, { workers: 1 });
    const ctrl = new AbortController();
    let steps = 0;
    assert.equal(await executeRun(d, runs[0], { workers: 1, signal: ctrl.signal, events: { step: () => void (++steps === 2 && ctrl.abort()) } }), null);
    assert.deepEqual(runState(d, runs[0]), { state: "resume", step: 2 });

    const r = await study();
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /aunce-noise00-fold1: resuming from step 2/);
    const log = (name: string) => readFileSync(join(dirOf(name), "log.jsonl"), "utf8");
    assert.ok(log(runs[0].name).includes('"event":"resume"'));

    const doc = readFileSync(join(root, "docs", "experiments.md"), "utf8");
    assert.ok(doc.startsWith("# Experiments\n\nintro\n\n<!-- study:toy -->\n## Toy study") && doc.endsWith("<!-- /study -->\n\ntail\n") && !doc.includes("stale"));
    assert.match(doc, /Not run yet .*: finetune-noise00-fold1\./);
    for (const s of ["### Results: mean over AUs", "### Claims", "### Per-AU F1 at 0% training-label noise", "### Per-AU F1 at 40% training-label noise", "### What ran where", "(experiments/toy/f1-noise.svg)", "(experiments/toy/f1-base-rate.svg)"]) assert.ok(doc.includes(s), s);
    const f1: Record<string, number> = {};
    for (const run of runs) {
      const rec = JSON.parse(readFileSync(join(dirOf(run.name), "study-run.json"), "utf8"));
      assert.equal(rec.steps, 4);
      assert.equal(rec.imagesSeen, 16);
      assert.equal(rec.device, "cpu");
      const p = readPredictions(join(dirOf(run.name), "eval", "predictions.json"));
      const fromPredictions = computeMetrics(p.probs, p.labels, p.aus, p.thresholds).meanF1;
      const fromMetrics = JSON.parse(readFileSync(join(dirOf(run.name), "eval", "metrics.json"), "utf8")).results[0].metrics.meanF1 as number;
      assert.ok(Math.abs(fromPredictions - fromMetrics) < 1e-9, `${run.name}: ${fromPredictions} vs ${fromMetrics}`);
      f1[run.name] = fromMetrics;
      assert.ok(doc.includes(`| ${run.arm.label} | ${Math.round(100 * run.noise)}% | 1 | ${pct(fromMetrics)} [`), `${run.name} row with mean F1 ${pct(fromMetrics)}`);
      assert.ok(doc.includes(`| ${run.name} | 4 | 16 |`), `${run.name} in "what ran where"`);
    }
    const diff = f1["aunce-noise00-fold1"] - f1["supervised-noise00-fold1"];
    assert.ok(doc.includes(`| AUNCE beats supervised | AUNCE + linear eval − supervised at 0% noise | mean F1 | ${diff >= 0 ? "+" : ""}${pct(diff)} [`));
    const report = JSON.parse(readFileSync(join(root, "out", "report.json"), "utf8"));
    for (const c of report.claims) assert.ok(["holds", "fails", "cannot tell at this scale"].includes(c.verdict), c.verdict);
    for (const f of ["f1-noise.svg", "f1-base-rate.svg"]) assert.match(readFileSync(join(root, "docs", "experiments", "toy", f), "utf8"), /^<svg/);

    const before = runs.map((x) => log(x.name) + readFileSync(join(dirOf(x.name), "study-run.json"), "utf8"));
    const again = await study();
    assert.equal(again.code, 0, again.err);
    assert.doesNotMatch(again.err, /training|resuming|evaluation/);
    assert.deepEqual(runs.map((x) => log(x.name) + readFileSync(join(dirOf(x.name), "study-run.json"), "utf8")), before);
    assert.equal((await study("--report-only")).code, 0);
    assert.ok(existsSync(join(root, "out", "report.json")));
  });

  it("a bad design or flag is one line naming it", async () => {
    const bad = join(root, "bad.yaml");
    writeFileSync(bad, readFileSync(design, "utf8").replace("method: supervised }", "method: supervised, set: { backbone: resnet50 } }"));
    assert.throws(() => readDesign(bad), /arm 'supervised': set\.backbone would change what all arms share/);
    const r = await study("--arms", "nope");
    assert.equal(r.code, 1);
    assert.match(r.err, /^study: --arms: 'nope' is not an arm of toy/);
  });
});
