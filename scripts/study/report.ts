/**
 * Writes a study's report from its finished runs' own files (study-run.json, eval/predictions.json):
 * the section of the report's Markdown file between `<!-- study:NAME -->` and `<!-- /study -->`,
 * the plots (SVG) beside it, and <out>/report.json with every interval and verdict.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { renderSvg } from "../../src/eval/plots.ts";
import { replaceStudySection, studyReport, type StudyCell, type StudyReport } from "../../src/eval/study-report.ts";
import { modelInfo } from "../../src/models/registry.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { planRuns, studyPaths, type StudyDesign } from "./design.ts";
import { duration } from "./probe.ts";
import { readRunPredictions, runState, type RunRecord } from "./run.ts";

const pctNoise = (r: number) => `${Math.round(100 * r)}%`;

/** The design in words, from the design file itself. */
function preamble(d: StudyDesign, designFile: string, records: RunRecord[]): string[] {
  const t = resolveConfig({ ...d.train, dataset: "BP4D" });
  const arms = d.arms.map((a) => {
    const extra = [a.init ? `initialised from the ${d.arms.find((x) => x.id === a.init)!.label} encoder's backbone` : "", ...Object.entries(a.set ?? {}).map(([k, v]) => `${k} ${JSON.stringify(v)}`)].filter(Boolean);
    return `${a.label} (${a.method === "aunce" ? "AUNCE pre-training + linear evaluation" : "supervised ME-GraphAU stage 1, threshold 0.5"}${extra.length ? `; ${extra.join(", ")}` : ""}; noise ${(a.noise ?? d.noise).map(pctNoise).join(", ")})`;
  });
  const imgs = [...new Set(records.map((r) => r.imagesSeen))];
  return [
    ...(d.notes ?? []),
    "",
    `**Reproduce**: \`node --import tsx scripts/study.ts ${relative(process.cwd(), designFile)}\` (resumable: rerun it to continue; \`--plan\` prints the runs and their estimated times; the report below is generated from the runs' files).`,
    "",
    `- Data: SynthAU BP4D-style, ${d.data.subjects} subjects x ${d.data.sequences} sequences x ${d.data.frames} frames at ${d.data.size} px (seed ${d.data.seed}), prepared as \`aunce prepare bp4d\` does; ` +
      `symmetric noise flips each training label with probability r (seed ${d.noise_seed}; class weights recomputed); test labels stay clean.`,
    `- Shared recipe: ${t.backbone} from ${t.pretrained ? t.pretrained : modelInfo(t.backbone).pretrainedByConstruction ? "its bundled weights (face-api's, trained on real faces)" : "scratch"}, ${t.crop_size} px crops, batch ${t.batch_size}, AdamW lr ${t.lr} (x0.1 for the last ${t.lr_decay_last_epochs === 1 ? "epoch" : `${t.lr_decay_last_epochs} epochs`}), ${d.epochs} epochs for every arm` +
      `${imgs.length === 1 ? ` (${imgs[0]} training images seen per run; an AUNCE image counts once for its two views; fine-tuning adds its epochs to the encoder's)` : ""}; linear evaluation ${d.linear_eval.epochs} epochs, epoch picked on held-out training subjects.`,
    `- Arms: ${arms.join("; ")}.`,
    `- Statistics: ${d.bootstrap.resamples} bootstrap resamples of the test subjects (seed ${d.bootstrap.seed}); intervals are 95% percentile intervals; over several folds a figure is the mean of the folds'. "Always present" is the F1 of answering present everywhere, 2p/(1+p) for base rate p: the floor.`,
  ];
}

/** What ran where and how long it took, per run. */
function footer(records: RunRecord[], missing: string[]): string[] {
  const lines = ["### What ran where", "", "| run | steps | images seen | training | evaluation | 1-min load (start → end) | engine, device | finished |", "|---|---:|---:|---:|---:|---|---|---|"];
  for (const r of records) {
    lines.push(`| ${r.name} | ${r.steps} | ${r.imagesSeen} | ${duration(r.trainSeconds)} | ${duration(r.evalSeconds)} | ${r.load.start.toFixed(1)} → ${r.load.end.toFixed(1)} on ${r.load.cores} cores | ${r.engine}, ${r.device} | ${r.finished.slice(0, 16).replace("T", " ")} |`);
  }
  if (missing.length) lines.push("", `Not run yet (so absent above, and claims that need them say "not run"): ${missing.join(", ")}.`);
  return lines;
}

/** Builds the report from the finished runs and writes the section, the plots and report.json. */
export async function writeStudyReport(d: StudyDesign, designFile: string, o: { root?: string } = {}): Promise<StudyReport & { records: RunRecord[] }> {
  const p = studyPaths(d, o.root);
  const records: RunRecord[] = [];
  const missing: string[] = [];
  const cells: StudyCell[] = [];
  for (const run of planRuns(d)) {
    const st = runState(d, run, o.root);
    if (st.state !== "done") {
      missing.push(run.name);
      continue;
    }
    records.push(st.record);
    cells.push({ arm: run.arm.id, noise: run.noise, fold: run.fold, predictions: readRunPredictions(d, st.record, o.root) });
  }
  if (!cells.length) throw new Error(`${d.name}: no finished run under ${p.runs} yet; run the study first`);
  const plotDir = relative(p.docDir, p.plots).split("\\").join("/");
  const report = studyReport({
    title: d.title, arms: d.arms.map((a) => ({ id: a.id, label: a.label })), noises: d.noise, claims: d.claims, cells,
    bootstrap: d.bootstrap, preamble: preamble(d, designFile, records), footer: footer(records, missing), plotDir,
  });
  mkdirSync(p.plots, { recursive: true });
  for (const plot of report.plots) writeFileSync(join(p.plots, plot.file), await renderSvg(plot.spec));
  const doc = existsSync(p.doc) ? readFileSync(p.doc, "utf8") : "# Experiments\n";
  writeFileSync(p.doc, replaceStudySection(doc, d.name, report.markdown));
  writeFileSync(join(p.out, "report.json"), JSON.stringify({ name: d.name, summaries: report.summaries, claims: report.claims, runs: records.map((r) => r.name), missing }, null, 2) + "\n");
  return { ...report, records };
}
