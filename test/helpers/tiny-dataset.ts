/**
 * A tiny prepared SynthAU dataset for end-to-end tests: 6 BP4D-style subjects (two per fold
 * part) x 1 task x 12 frames at 64x64, through the same `prepare` code path as real data.
 */
import { join } from "node:path";
import { readBp4d, writePrepared } from "../../src/data/index.ts";
import { generateSynthDataset } from "../../src/synth/index.ts";
import { makeTempDir } from "./tmp.ts";

let cached: Promise<string> | undefined;

/** The prepared folder (made once per test process, removed after the file's tests). */
export function tinyPrepared(): Promise<string> {
  cached ??= (async () => {
    const root = makeTempDir("aunce-tiny-");
    await generateSynthDataset({ style: "bp4d", subjects: 6, sequences: 1, frames: 12, size: 64, seed: 5, out: join(root, "raw"), workers: 0 });
    writePrepared(readBp4d(join(root, "raw")), join(root, "prepared"));
    return join(root, "prepared");
  })();
  return cached;
}

/** A training config for the tiny dataset (resnet_tiny, 48-pixel crops, batch 4). */
export function tinyConfig(prepared: string, outDir: string, extra: Record<string, unknown> = {}) {
  return {
    dataset: "BP4D", data_root: prepared, fold: 1 as const, out_dir: outDir, exp_name: "run", backbone: "resnet_tiny",
    batch_size: 4, crop_size: 48, epochs: 2, lr: 1e-3, workers: 1, checkpoint_every: 0, ...extra,
  };
}
