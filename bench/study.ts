/**
 * The SynthAU study's cost (configs/studies/synthau-bp4d.yaml): the timing probe behind
 * `scripts/study.ts --plan` (a few training steps of each method at the study's backbone, crop and
 * batch, one evaluation, a short linear evaluation) and the estimated time of the 2-core plan
 * (fold 1: every arm at 0% and 40% noise, plus the re-weighting ablation at 0%), from the design's
 * frame counts. The probe's data lives in a temporary folder; nothing of the study is touched.
 *
 *   node --import tsx bench/study.ts [--steps 4] [--design configs/studies/synthau-bp4d.yaml]
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { planRuns, readDesign } from "../scripts/study/design.ts";
import { duration, formatPlan, planTimes, timingProbe } from "../scripts/study/probe.ts";
import { writeBenchResults } from "./results.ts";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "4" },
    design: { type: "string", default: "configs/studies/synthau-bp4d.yaml" },
    out: { type: "string", default: new URL("../docs/results/study.json", import.meta.url).pathname },
  },
});
const root = mkdtempSync(join(tmpdir(), "study-bench-"));
try {
  const d = { ...readDesign(values.design!), out: root };
  const probe = await timingProbe(d, { steps: Number(values.steps), log: (l) => console.error(l) });
  const runs = planRuns(d, { folds: [1], noise: [0, 0.4], arms: ["aunce", "supervised", "finetune", "aunce-betas1"] });
  const rows = planTimes(d, runs, probe);
  const total = rows.reduce((a, r) => a + r.seconds, 0);
  console.log(formatPlan(d, rows, probe));
  const written = writeBenchResults("study", [
    { id: "study.step.aunce", benchmark: `AUNCE training step, ${d.train.backbone}, batch ${d.train.batch_size} x 2 views, ${d.train.crop_size} px`, ours: `${probe.stepSeconds.aunce.toFixed(2)} s`, values: { seconds: probe.stepSeconds.aunce } },
    { id: "study.step.supervised", benchmark: `supervised training step, ${d.train.backbone}, batch ${d.train.batch_size}, ${d.train.crop_size} px`, ours: `${probe.stepSeconds.supervised.toFixed(2)} s`, values: { seconds: probe.stepSeconds.supervised } },
    { id: "study.eval", benchmark: "evaluation, per test frame", ours: `${(1000 * probe.evalSecondsPerFrame).toFixed(1)} ms`, values: { seconds: probe.evalSecondsPerFrame } },
    { id: "study.plan.fold1", benchmark: `study plan, fold 1: ${runs.map((r) => r.name).join(", ")}`, ours: duration(total), values: { seconds: total, runs: runs.length } },
  ]);
  if (values.out) copyFileSync(written, values.out);
} finally {
  rmSync(root, { recursive: true, force: true });
}
