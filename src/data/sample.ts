/**
 * Renders one sample into its batch slots: decode, then either two (or more) independently augmented
 * views or the test-time view. Shared by the loader's worker threads and its in-process mode, so both
 * give identical bytes. Augmentation parameters come from the keyed RNG (seed, epoch, index, view).
 */
import { Rng } from "./rng.ts";
import { decodeRgb } from "./transforms/decode.ts";
import { DEFAULT_AUGMENT, sampleAugmentParams, type AugmentConfig, type AugmentParams } from "./transforms/params.ts";
import { augmentView, testView } from "./transforms/pipeline.ts";

/** What a worker needs for one sample. Float offsets index into the per-view buffers. */
export interface SampleTask {
  id: number;
  file: string;
  /** Dataset index, part of the RNG key. */
  index: number;
  epoch: number;
  seed: number;
  train: boolean;
  /** One buffer per view ([B,3,S,S] float32 each) and the float offset of this sample in it. */
  outs: SharedArrayBuffer[] | ArrayBuffer[];
  offset: number;
}

/** The RNG stream of (seed, epoch, index, view). */
export function viewRng(seed: number, epoch: number, index: number, view: number): Rng {
  return new Rng(seed, epoch, index, view);
}

/** Decodes `task.file` and writes each view; returns the parameters used (train) for logging/tests. */
export async function renderSample(task: SampleTask, cfg: AugmentConfig = DEFAULT_AUGMENT, scratch?: Float32Array): Promise<AugmentParams[]> {
  const img = await decodeRgb(task.file);
  const size = cfg.cropSize;
  const per = 3 * size * size;
  const used: AugmentParams[] = [];
  task.outs.forEach((buf, view) => {
    const out = new Float32Array(buf, task.offset * 4, per);
    if (task.train) {
      const p = sampleAugmentParams(viewRng(task.seed, task.epoch, task.index, view), img.height, img.width, cfg);
      augmentView(img, p, size, out, scratch, cfg.blurKernel);
      used.push(p);
    } else testView(img, size, out);
  });
  return used;
}
