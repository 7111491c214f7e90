/**
 * `aunce linear-eval --checkpoint <run>/last.safetensors`: freezes an AUNCE encoder and trains the
 * per-AU linear heads (spec §5), then writes the test fold's report into <run>/linear-eval/.
 */
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { option } from "../util/flags.ts";
import { addDeviceOptions, deviceFromFlags } from "../util/device.ts";
import { checkOutputFolder } from "../util/paths.ts";

interface LinearEvalOpts {
  checkpoint: string;
  device?: string;
  gpu_ids?: string;
  epochs: string;
  batch_size: string;
  lr: string;
  out?: string;
  workers?: string;
  /** False with --no_progress. */
  progress?: boolean;
}

function number(flag: string, text: string, ok: (v: number) => boolean, what: string): number {
  const v = Number(text);
  if (text.trim() === "" || !ok(v)) throw new Error(`${flag}: expected ${what}, got '${text}'`);
  return v;
}

export function register(program: Command): void {
  addDeviceOptions(program
    .command("linear-eval"), "the encoder")
    .description("linear evaluation of a pre-trained AUNCE encoder (frozen) on its fold")
    .requiredOption("--checkpoint <file>", "an AUNCE checkpoint from `aunce train`")
    .option("--epochs <n>", "linear-head epochs", "100")
    .addOption(option("--batch_size <n>", "batch size").default("256"))
    .option("--lr <x>", "Adam learning rate", "1e-3")
    .option("--out <dir>", "report folder (default <run>/linear-eval)")
    .option("--workers <n>", "data-loading threads (default one per core)")
    .addOption(option("--no_progress", "no progress bar"))
    .action(async (o: LinearEvalOpts) => {
      const int = (v: number) => Number.isInteger(v) && v >= 1;
      const epochs = number("--epochs", o.epochs, int, "a whole number >= 1");
      const batchSize = number("--batch_size", o.batch_size, int, "a whole number >= 1");
      const lr = number("--lr", o.lr, (v) => v > 0 && Number.isFinite(v), "a number > 0");
      const workers = o.workers === undefined ? undefined : number("--workers", o.workers, (v) => Number.isInteger(v) && v >= 0, "a whole number >= 0");
      if (!existsSync(o.checkpoint)) throw new Error(`--checkpoint ${o.checkpoint}: file not found`);
      const device = deviceFromFlags(o);
      const out = o.out ?? join(dirname(o.checkpoint), "linear-eval");
      checkOutputFolder("--out", out);
      const { runLinearEval } = await import("../../eval/pipeline.ts");
      const bar = new cliProgress.SingleBar({ format: "{stage} {bar} {value}/{total}", noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 10000 }, cliProgress.Presets.shades_classic);
      let stage = "";
      let r: Awaited<ReturnType<typeof runLinearEval>>;
      try {
        r = await runLinearEval(o.checkpoint, {
          epochs, batchSize, lr, workers, out, device,
          onProgress: (s, d, t) => {
            if (o.progress === false) return;
            if (s !== stage) {
              bar.stop();
              stage = s;
              bar.start(t, d, { stage: s });
            } else bar.update(d);
          },
        });
      } finally {
        // A running bar holds a timer: left running after an error, the process never exits.
        bar.stop();
      }
      console.log(r.table);
      console.log(`\nselected epoch ${r.result.selected.epoch} on validation subjects ${r.result.valSubjects.join(" ")}: test mean F1 ${(100 * r.result.selected.test.meanF1).toFixed(1)}`);
      console.log(`reference selection (best test epoch ${r.result.referenceSelection.epoch}, optimistic): ${(100 * r.result.referenceSelection.test.meanF1).toFixed(1)}`);
      console.log(`report: ${r.out}/report.md`);
    });
}
