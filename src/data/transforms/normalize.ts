/** Normalize with the spec's constants (spec §5: the CIFAR statistics the reference uses). */
import type { FloatImage } from "./image.ts";

/** Per-channel mean subtracted by Normalize (RGB). */
export const MEAN: readonly [number, number, number] = [0.4914, 0.4822, 0.4465];
/** Per-channel std divided by Normalize (RGB). */
export const STD: readonly [number, number, number] = [0.2023, 0.1994, 0.201];

/** (x - mean_c) / std_c in place, as torchvision's Normalize (sub then div, float32). */
export function normalize(img: FloatImage, mean: readonly number[] = MEAN, std: readonly number[] = STD): void {
  const p = img.width * img.height;
  const d = img.data;
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]);
    const s = Math.fround(std[c]);
    for (let i = c * p; i < (c + 1) * p; i++) d[i] = Math.fround(d[i] - m) / s;
  }
}
