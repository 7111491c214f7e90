/**
 * `aunce evaluate`: per-AU F1, accuracy and ROC-AUC of a supervised (ME-GraphAU stage-1)
 * checkpoint on its test fold, or the 3-fold mean of finished evaluations (--runs).
 */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { option } from "../util/flags.ts";
import { addDeviceOptions, deviceFromFlags } from "../util/device.ts";
import { checkOutputFolder } from "../util/paths.ts";

const list = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  addDeviceOptions(program
    .command("evaluate"), "the model")
    .description("evaluate a supervised checkpoint on its test fold, or average finished evaluations over folds")
    .option("--checkpoint <file>", "a checkpoint from `aunce train --supervised`")
    .addOption(option("--tune_thresholds", "per-AU thresholds tuned on validation subjects of the training fold"))
    .option("--runs <metrics.json>", "metrics.json of finished evaluations to average (repeat per fold)", list, [] as string[])
    .option("--out <dir>", "report folder")
    .action(async (o: { checkpoint?: string; tune_thresholds?: boolean; runs: string[]; out?: string; device?: string; gpu_ids?: string }) => {
      if (o.runs.length) {
        const out = o.out ?? "report";
        checkOutputFolder("--out", out);
        for (const f of o.runs) if (!existsSync(f)) throw new Error(`--runs ${f}: file not found`);
        const pipeline = await import("../../eval/pipeline.ts");
        const r = await pipeline.averageRuns(o.runs, out);
        console.log(r.table);
        console.log(`report: ${r.out}/report.md`);
        return;
      }
      if (!o.checkpoint) throw new Error("evaluate: give --checkpoint <file> or --runs <metrics.json> ...");
      if (!existsSync(o.checkpoint)) throw new Error(`--checkpoint ${o.checkpoint}: file not found`);
      const device = deviceFromFlags(o);
      const out = o.out ?? join(dirname(o.checkpoint), "evaluate");
      checkOutputFolder("--out", out);
      const pipeline = await import("../../eval/pipeline.ts");
      const r = await pipeline.runEvaluate(o.checkpoint, { tune: o.tune_thresholds, out, device });
      console.log(r.table);
      console.log(`report: ${r.out}/report.md`);
    });
}
