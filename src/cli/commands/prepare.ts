/**
 * `aunce prepare bp4d|disfa --root <dir> --out <dir> [--strict] [--mask_uncoded]`: raw label files and
 * face crops -> per-fold lists, label rows, class weights and a summary (src/data/prepare.ts).
 */
import { SingleBar, Presets } from "cli-progress";
import type { Command } from "commander";
import { parseDatasetName } from "../../data/aus.ts";
import { readBp4d } from "../../data/bp4d.ts";
import { readDisfa } from "../../data/disfa.ts";
import { writePrepared } from "../../data/prepare.ts";
import { formatSummary } from "../../data/summary.ts";
import { option } from "../util/flags.ts";
import { checkOutputFolder } from "../util/paths.ts";

interface PrepareOptions {
  root: string;
  out: string;
  strict?: boolean;
  mask_uncoded?: boolean;
  quiet?: boolean;
}

/** Registers `prepare`. */
export function register(program: Command): void {
  program
    .command("prepare")
    .description("read BP4D or DISFA label files as shipped and write per-fold lists, labels, class weights and a summary")
    .argument("<dataset>", "bp4d or disfa")
    .requiredOption("--root <dir>", "dataset folder (BP4D: AUCoding/AU_OCC + img; DISFA: ActionUnit_Labels + img)")
    .requiredOption("--out <dir>", "output folder (list/, dataset.json, summary.json)")
    .option("--strict", "fail on the first malformed input (naming file and line) instead of skipping and counting it")
    .addOption(option("--mask_uncoded", "BP4D: keep frames with code 9 and mask those AUs (-1) instead of excluding the frames"))
    .option("--quiet", "no progress bar")
    .action((datasetArg: string, opts: PrepareOptions) => {
      const dataset = parseDatasetName(datasetArg);
      if (opts.mask_uncoded && dataset !== "BP4D") throw new Error("--mask_uncoded applies to BP4D only (DISFA has no 'not coded' value)");
      checkOutputFolder("--out", opts.out);
      const bar = opts.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: `${dataset} {bar} {value}/{total} label files`, stream: process.stderr }, Presets.shades_classic);
      const onFile = (done: number, total: number) => {
        if (!bar) return;
        if (done === 1) bar.start(total, 0);
        bar.update(done);
      };
      let parsed;
      try {
        parsed = dataset === "BP4D" ? readBp4d(opts.root, { strict: opts.strict, maskUncoded: opts.mask_uncoded, onFile }) : readDisfa(opts.root, { strict: opts.strict, onFile });
      } finally {
        bar?.stop();
      }
      const summary = writePrepared(parsed, opts.out);
      console.log(formatSummary(summary));
      console.log(`wrote ${opts.out}/list, ${opts.out}/dataset.json, ${opts.out}/summary.json`);
    });
}
