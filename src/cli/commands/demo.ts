/**
 * `aunce demo` (`npm run demo`): the main job end to end on built-in synthetic data, on any
 * machine: SynthAU BP4D-style faces -> `prepare` -> AUNCE pre-training -> linear evaluation, and
 * the supervised ME-GraphAU baseline on the same fold; prints both per-AU F1 tables.
 * Small by default (a width-32 ResNet-18 layout at 96x96 crops) so it fits in minutes on 2 cores.
 */
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DemoSummary } from "../../eval/demo-summary.ts";
import { option } from "../util/flags.ts";
import { addDeviceOptions, deviceFromFlags } from "../util/device.ts";
import { checkOutputFolder } from "../util/paths.ts";

interface DemoOptions {
  out: string;
  device?: string;
  gpu_ids?: string;
  subjects: string;
  sequences: string;
  frames: string;
  size: string;
  crop: string;
  backbone: string;
  epochs: string;
  batch_size: string;
  linear_epochs: string;
  seed: string;
}

const int = (name: string, v: string, min = 1) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
};

export function register(program: Command): void {
  addDeviceOptions(program
    .command("demo"), "training and evaluation")
    .description("end-to-end demo on synthetic data: SynthAU -> prepare -> AUNCE + linear eval vs supervised baseline (fold 1)")
    .option("--out <dir>", "demo folder (recreated on every run)", "aunce-demo")
    .option("--subjects <n>", "SynthAU subjects (spread over the 3 fold parts)", "9")
    .option("--sequences <n>", "sequences (tasks) per subject", "3")
    .option("--frames <n>", "frames per sequence", "30")
    .option("--size <px>", "image size", "112")
    .option("--crop <px>", "training crop", "96")
    .option("--backbone <name>", "backbone", "resnet18_w32")
    .option("--epochs <n>", "pre-training and supervised epochs", "10")
    .addOption(option("--batch_size <n>", "batch size").default("32"))
    .addOption(option("--linear_epochs <n>", "linear-evaluation epochs").default("100"))
    .option("--seed <n>", "seed", "3407")
    .action(async (o: DemoOptions, cmd: Command) => {
      const t0 = performance.now();
      const n = {
        subjects: int("subjects", o.subjects, 3), sequences: int("sequences", o.sequences), frames: int("frames", o.frames),
        size: int("size", o.size, 32), crop: int("crop", o.crop, 16), epochs: int("epochs", o.epochs), batch: int("batch_size", o.batch_size, 2),
        linearEpochs: int("linear_epochs", o.linear_epochs), seed: int("seed", o.seed, 0),
      };
      if (n.crop > n.size) throw new Error(`--crop (${n.crop}) must not exceed --size (${n.size})`);
      const device = deviceFromFlags(o);
      const out = resolve(o.out);
      checkOutputFolder("--out", out);
      // Recreate only a folder this command made (it holds demo.json) or an empty one.
      if (existsSync(out) && readdirSync(out).length > 0) {
        if (!existsSync(join(out, "demo.json"))) throw new Error(`${out} exists and is not a demo folder; choose another --out`);
        rmSync(out, { recursive: true, force: true });
      }
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, "demo.json"), JSON.stringify({ started: new Date().toISOString(), options: n }, null, 2));

      const { engineInfo } = await import("../../tensor/index.ts");
      const { generateSynthDataset } = await import("../../synth/index.ts");
      const { readBp4d, writePrepared } = await import("../../data/index.ts");
      const { resolveConfig } = await import("../../train/config.ts");
      const { train } = await import("../../train/trainer.ts");
      const { runLinearEval, runEvaluate } = await import("../../eval/pipeline.ts");
      const { writeReport } = await import("../../eval/evaluate.ts");
      const { f1Table } = await import("../../eval/report.ts");
      const summaryParts = await import("../../eval/demo-summary.ts");
      const { engineLabel } = summaryParts;
      const info = engineInfo();
      const loadStart = loadavg()[0];
      console.log(`aunce demo — libtorch ${info.libtorch}, ${info.blas}, ${info.threads} threads; output in ${out}\n`);

      const bar = new cliProgress.SingleBar({ format: "  {stage} {bar} {value}/{total} {extra}", noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 15000 }, cliProgress.Presets.shades_classic);
      const stageTimes: Record<string, number> = {};
      const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        const s = performance.now();
        let r: T;
        try {
          r = await fn();
        } finally {
          bar.stop(); // a bar left running after an error would keep the process alive
        }
        stageTimes[name] = (performance.now() - s) / 1000;
        console.log(`  ${name}: ${stageTimes[name].toFixed(0)} s`);
        return r;
      };

      console.log("1. SynthAU: BP4D-style synthetic faces with known AUs");
      await timed("synthesis", () => {
        bar.start(n.subjects * n.sequences * n.frames, 0, { stage: "render", extra: "" });
        return generateSynthDataset({ style: "bp4d", subjects: n.subjects, sequences: n.sequences, frames: n.frames, size: n.size, seed: n.seed, out: join(out, "synth"), onProgress: (d) => bar.update(d) });
      });
      console.log("2. prepare: raw label files -> 3-fold lists and class weights");
      await timed("prepare", async () => writePrepared(readBp4d(join(out, "synth")), join(out, "prepared")));

      const base = {
        dataset: "BP4D", data_root: join(out, "prepared"), fold: 1, out_dir: join(out, "runs"), backbone: o.backbone, crop_size: n.crop,
        epochs: n.epochs, batch_size: n.batch, seed: n.seed, checkpoint_every: 0, device,
        // From scratch on a few hundred images, the paper's 1e-5 (for ImageNet-initialised Swin-B) barely moves the weights.
        lr: 1e-3, drop_path: 0,
      };
      const trainStage = (name: string, cfg: Record<string, unknown>) =>
        timed(name, () =>
          train(resolveConfig(cfg as never), {
            events: {
              start: (i) => bar.start(i.totalSteps, 0, { stage: name, extra: "" }),
              step: (s) => bar.update(s.step, { extra: `loss ${s.loss.toFixed(3)} | ${s.imagesPerSec.toFixed(0)} img/s` }),
            },
          }),
        );
      let current = "";
      const progress = (stage: string, d: number, t: number) => {
        if (stage === current) return bar.update(d);
        bar.stop();
        current = stage;
        bar.start(t, d, { stage, extra: "" });
      };

      console.log(`3. AUNCE contrastive pre-training (${o.backbone}, ${n.epochs} epochs, fold 1)`);
      const aunce = await trainStage("AUNCE pre-training", { ...base, exp_name: "aunce" });
      console.log("4. linear evaluation of the frozen encoder");
      const lin = await timed("linear evaluation", () => runLinearEval(aunce.checkpoint, { epochs: n.linearEpochs, out: join(aunce.runDir, "linear-eval"), onProgress: progress, device }));
      console.log(`5. supervised baseline (ME-GraphAU stage 1, weighted asymmetric loss, ${n.epochs} epochs)`);
      const sup = await trainStage("supervised training", { ...base, exp_name: "supervised", supervised: true });
      const supEval = await timed("supervised evaluation", () => runEvaluate(sup.checkpoint, { out: join(sup.runDir, "evaluate"), device }));

      const columns = [
        { name: "AUNCE + linear eval", metrics: lin.result.selected.test },
        { name: "supervised baseline", metrics: supEval.metrics },
      ];
      const seconds = (performance.now() - t0) / 1000;
      const summary: DemoSummary = {
        format: "aunce-demo-summary/1",
        date: new Date().toISOString(),
        engine: summaryParts.demoEngine(info),
        config: { ...n, backbone: o.backbone },
        defaultConfig: cmd.options.every((x) => x.attributeName() === "out" || cmd.getOptionValueSource(x.attributeName()) === "default"),
        methods: { aunce: summaryParts.methodSummary(columns[0].name, columns[0].metrics), supervised: summaryParts.methodSummary(columns[1].name, columns[1].metrics) },
        alwaysPresentF1: summaryParts.alwaysPresentF1(columns[1].metrics),
        testFrames: columns[1].metrics.perAu[0]?.count ?? 0,
        seconds,
        stageSeconds: stageTimes,
        loadAverage: { start: loadStart, end: loadavg()[0] },
      };
      // The experiments page as a link relative to the report (src/ and dist/ sit at the same depth).
      const docs = fileURLToPath(new URL("../../../docs/experiments.md", import.meta.url));
      const guide = summaryParts.demoGuide(summary, existsSync(docs) ? relative(out, docs) : "docs/experiments.md");
      await writeReport(out, {
        title: "aunce demo: AUNCE vs supervised on SynthAU (BP4D-style), fold 1",
        columns,
        curves: [
          { name: "AUNCE contrastive pre-training", values: aunce.losses, yTitle: "AUNCE loss" },
          { name: "supervised baseline (ME-GraphAU stage 1)", values: sup.losses, yTitle: "weighted asymmetric loss" },
        ],
        guide,
        notes: [
          `${n.subjects} synthetic subjects x ${n.sequences} sequence${n.sequences === 1 ? "" : "s"} x ${n.frames} frames at ${n.size}px; ${o.backbone} from scratch, ${n.crop}px crops, ${n.epochs} epoch${n.epochs === 1 ? "" : "s"}, batch ${n.batch}`,
          `linear-eval epoch selected on validation subjects ${lin.result.valSubjects.join(", ")}; the reference's test-fold selection gives ${(100 * lin.result.referenceSelection.test.meanF1).toFixed(1)}`,
          `total time ${seconds.toFixed(0)} s on ${engineLabel(summary.engine)}, load average ${summary.loadAverage.start.toFixed(1)} at start and ${summary.loadAverage.end.toFixed(1)} at the end (${Object.entries(stageTimes).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(", ")})`,
        ],
      });
      writeFileSync(join(out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
      writeFileSync(join(out, "demo.json"), JSON.stringify({ options: n, seconds, stageTimes, meanF1: { aunce: lin.result.selected.test.meanF1, supervised: supEval.metrics.meanF1 } }, null, 2));
      console.log(`\nPer-AU F1 (%) on the test fold (synthetic subjects never seen in training):\n`);
      console.log(f1Table(columns));
      console.log(`\n${summaryParts.demoGuide(summary).replace(/^## /, "").replace(/\*\*/g, "")}`);
      console.log(`\nfinished in ${(seconds / 60).toFixed(1)} min; report: ${join(out, "report.md")}, figures: ${join(out, "summary.json")}`);
    });
}
