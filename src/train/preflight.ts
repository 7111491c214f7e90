/**
 * Checks a training run's inputs before any work: the images are readable and large enough for
 * the crop, the pretrained weights exist. A mistake costs a second here instead of a folder made
 * and a crash in a data-loading thread.
 */
import { existsSync } from "node:fs";
import sharp from "sharp";
import { readAunceCheckpoint } from "../models/checkpoint/index.ts";
import type { AuDataset } from "../data/index.ts";

/** Reads the stored size of an image without decoding it; throws naming the file. */
async function imageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const m = await sharp(file).metadata();
    if (!m.width || !m.height) throw new Error("no image size in the file");
    return { width: m.width, height: m.height };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot read training image ${file} (${why}); check --dataset / --data_root`);
  }
}

/**
 * Checks the first, middle and last images of `ds` against `cropSize` (the prepared datasets
 * hold one image size; three reads cost milliseconds). Throws a one-line error naming --crop_size.
 */
export async function checkCropFits(ds: AuDataset, cropSize: number): Promise<void> {
  if (ds.length === 0) return;
  const picks = [...new Set([0, Math.floor(ds.length / 2), ds.length - 1])];
  for (const i of picks) {
    const file = ds.path(i);
    const { width, height } = await imageSize(file);
    if (width < cropSize || height < cropSize) {
      throw new Error(`training images are ${width}x${height} px (${file}), smaller than crop_size ${cropSize}: pass --crop_size ${Math.min(width, height)} or less`);
    }
  }
}

/** Throws when the --pretrained file is missing. */
export function checkPretrained(path: string | null): void {
  if (path !== null && !existsSync(path)) throw new Error(`pretrained weights not found: ${path} (--pretrained)`);
}

/** Throws when the --init_from file is missing or not a checkpoint written by `aunce train`. */
export async function checkInitFrom(path: string): Promise<void> {
  if (!existsSync(path)) throw new Error(`encoder checkpoint not found: ${path} (--init_from)`);
  let meta: { config?: { model?: { backbone?: unknown } } };
  try {
    meta = (await readAunceCheckpoint(path)).meta as typeof meta;
  } catch (err) {
    throw new Error(`--init_from ${path} is not an aunce checkpoint: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof meta.config?.model?.backbone !== "string") throw new Error(`--init_from ${path} does not say which backbone it holds (not written by \`aunce train\`)`);
}
