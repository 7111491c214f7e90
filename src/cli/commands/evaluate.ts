/**
 * `aunce evaluate`: per-AU F1, accuracy and ROC-AUC of a supervised (ME-GraphAU stage-1)
 * checkpoint on its test fold, or the 3-fold mean of finished evaluations (--runs).
 */
import type { Command } from "commander";
import { dirname, join } from "node:path";

const list = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  program
    .command("evaluate")
    .description("evaluate a supervised checkpoint on its test fold, or average finished evaluations over folds")
    .option("--checkpoint <file>", "a checkpoint from `aunce train --supervised`")
    .option("--tune-thresholds", "per-AU thresholds tuned on validation subjects of the training fold")
    .option("--runs <metrics.json>", "metrics.json of finished evaluations to average (repeat per fold)", list, [] as string[])
    .option("--out <dir>", "report folder")
    .action(async (o: { checkpoint?: string; tuneThresholds?: boolean; runs: string[]; out?: string }) => {
      const pipeline = await import("../../eval/pipeline.ts");
      if (o.runs.length) {
        const r = await pipeline.averageRuns(o.runs, o.out ?? "report");
        console.log(r.table);
        console.log(`report: ${r.out}/report.md`);
        return;
      }
      if (!o.checkpoint) throw new Error("evaluate: give --checkpoint <file> or --runs <metrics.json> ...");
      const r = await pipeline.runEvaluate(o.checkpoint, { tune: o.tuneThresholds, out: o.out ?? join(dirname(o.checkpoint), "evaluate") });
      console.log(r.table);
      console.log(`report: ${r.out}/report.md`);
    });
}
