/**
 * `aunce synth`: writes a synthetic FACS-labelled dataset (SynthAU) in BP4D or DISFA raw layout.
 */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { generateSynthDataset } from "../../synth/index.ts";
import { option } from "../util/flags.ts";
import { checkOutputFolder } from "../util/paths.ts";

function intArg(name: string, lo: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo) throw new InvalidArgumentError(`${name} must be an integer >= ${lo}, got "${v}"`);
    return n;
  };
}

function rateArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be a number in [0, 1], got "${v}"`);
    return n;
  };
}

/** Parses "1:0.3,12:0.5" into {1: 0.3, 12: 0.5}. */
export function parseBaseRates(v: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const part of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(?:AU)?(\d+):([0-9.eE+-]+)$/i.exec(part);
    const rate = m ? Number(m[2]) : NaN;
    if (!m || !(rate >= 0 && rate <= 1)) throw new InvalidArgumentError(`--base_rates: expected "au:rate" pairs like "12:0.5,6:0.4" with rates in [0, 1], got "${part}"`);
    out[Number(m[1])] = rate;
  }
  return out;
}

/** Registers `synth`. */
export function register(program: Command): void {
  program
    .command("synth")
    .description("generate a synthetic FACS-labelled face dataset (SynthAU) in BP4D or DISFA raw layout")
    .addOption(new Option("--style <style>", "dataset layout").choices(["bp4d", "disfa"]).makeOptionMandatory())
    .requiredOption("--subjects <n>", "subjects (bp4d <= 41, disfa <= 27), named from the spec's fold parts", intArg("--subjects", 1))
    .requiredOption("--sequences <m>", "sequences per subject (bp4d: tasks T1..T8)", intArg("--sequences", 1))
    .requiredOption("--frames <f>", "frames per sequence", intArg("--frames", 1))
    .requiredOption("--out <dir>", "output folder (must be empty unless --force)")
    .option("--seed <s>", "random seed (same seed, same bytes)", intArg("--seed", 0), 0)
    .addOption(option("--label_noise <r>", "symmetric label flip rate").argParser(rateArg("--label_noise")).default(0))
    .addOption(option("--miss_rate <r>", "rate at which positives are missed (written as 0)").argParser(rateArg("--miss_rate")).default(0))
    .addOption(option("--not_coded_rate <r>", "bp4d: rate of label cells written as 9 (not coded)").argParser(rateArg("--not_coded_rate")))
    .addOption(option("--base_rates <list>", "per-AU occurrence rates, e.g. 12:0.5,6:0.4").argParser(parseBaseRates))
    .addOption(option("--event_frames <n>", "smoothness of AU events (Gaussian sigma, frames)").argParser((v) => {
      const n = Number(v);
      if (!(n > 0)) throw new InvalidArgumentError(`--event_frames must be > 0, got "${v}"`);
      return n;
    }))
    .addOption(new Option("--domain <domain>", "look: lab (the fixed-protocol datasets') or photo (harsher light, shadows, glasses/beard/hair occluders, wider pose, camera artefacts; for training models meant for photos)").choices(["lab", "photo"]).default("lab"))
    .option("--size <px>", "image size", intArg("--size", 32), 256)
    .option("--workers <n>", "render threads (0 = main thread)", intArg("--workers", 0), availableParallelism())
    .option("--force", "write into a non-empty folder", false)
    .action(async (opts) => {
      checkOutputFolder("--out", opts.out);
      const bar = new SingleBar({ format: "synth |{bar}| {value}/{total} images | {speed} img/s | eta {eta}s", hideCursor: true }, Presets.shades_classic);
      const t0 = performance.now();
      let started = false;
      const result = await generateSynthDataset({
        style: opts.style,
        subjects: opts.subjects,
        sequences: opts.sequences,
        frames: opts.frames,
        out: opts.out,
        seed: opts.seed,
        flipRate: opts.label_noise,
        missRate: opts.miss_rate,
        notCodedRate: opts.not_coded_rate,
        rates: opts.base_rates,
        eventFrames: opts.event_frames,
        domain: opts.domain,
        size: opts.size,
        workers: opts.workers,
        force: opts.force,
        onProgress: (done, total) => {
          if (!started) {
            bar.start(total, 0, { speed: "0" });
            started = true;
          }
          bar.update(done, { speed: (done / ((performance.now() - t0) / 1000)).toFixed(1) });
        },
      }).finally(() => started && bar.stop());
      console.log(`wrote ${result.images} images for ${result.subjects.length} subjects to ${result.out} in ${result.seconds.toFixed(1)} s (${result.imagesPerSecond.toFixed(1)} images/s); manifest ${result.manifestPath}`);
    });
}
