/**
 * `aunce linear-eval --checkpoint <run>/last.safetensors`: freezes an AUNCE encoder and trains the
 * per-AU linear heads (spec §5), then writes the test fold's report into <run>/linear-eval/.
 */
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { dirname, join } from "node:path";

export function register(program: Command): void {
  program
    .command("linear-eval")
    .description("linear evaluation of a pre-trained AUNCE encoder (frozen) on its fold")
    .requiredOption("--checkpoint <file>", "an AUNCE checkpoint from `aunce train`")
    .option("--epochs <n>", "linear-head epochs", "100")
    .option("--batch_size <n>", "batch size", "256")
    .option("--lr <x>", "Adam learning rate", "1e-3")
    .option("--out <dir>", "report folder (default <run>/linear-eval)")
    .option("--workers <n>", "data-loading threads (default one per core)")
    .action(async (o: { checkpoint: string; epochs: string; batch_size: string; lr: string; out?: string; workers?: string }) => {
      const { runLinearEval } = await import("../../eval/pipeline.ts");
      const bar = new cliProgress.SingleBar({ format: "{stage} {bar} {value}/{total}", noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 10000 }, cliProgress.Presets.shades_classic);
      let stage = "";
      const r = await runLinearEval(o.checkpoint, {
        epochs: Number(o.epochs), batchSize: Number(o.batch_size), lr: Number(o.lr), workers: o.workers ? Number(o.workers) : undefined,
        out: o.out ?? join(dirname(o.checkpoint), "linear-eval"),
        onProgress: (s, d, t) => {
          if (s !== stage) {
            bar.stop();
            stage = s;
            bar.start(t, d, { stage: s });
          } else bar.update(d);
        },
      });
      bar.stop();
      console.log(r.table);
      console.log(`\nselected epoch ${r.result.selected.epoch} on validation subjects ${r.result.valSubjects.join(" ")}: test mean F1 ${(100 * r.result.selected.test.meanF1).toFixed(1)}`);
      console.log(`reference selection (best test epoch ${r.result.referenceSelection.epoch}, optimistic): ${(100 * r.result.referenceSelection.test.meanF1).toFixed(1)}`);
      console.log(`report: ${r.out}/report.md`);
    });
}
