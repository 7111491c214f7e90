/**
 * Augmentation parameters of one view, drawn up front so they can be logged, replayed and passed to
 * the torchvision fixture script. Draw order follows the reference Compose (spec §5): RandomCrop,
 * RandomHorizontalFlip, RandomApply(ColorJitter, p), RandomGrayscale, GaussianBlur.
 */
import type { Rng } from "../rng.ts";

/** ColorJitter functions by torchvision's fn_idx: 0 brightness, 1 contrast, 2 saturation, 3 hue. */
export interface JitterParams {
  /** Order in which the functions run (a permutation of 0..3, or a subset for tests). */
  order: number[];
  brightness?: number;
  contrast?: number;
  saturation?: number;
  hue?: number;
}

/** Everything one augmented view needs. */
export interface AugmentParams {
  top: number;
  left: number;
  flip: boolean;
  /** null when RandomApply skipped the jitter. */
  jitter: JitterParams | null;
  grayscale: boolean;
  /** Gaussian blur sigma; null = no blur. */
  blurSigma: number | null;
}

/** Augmentation settings; the defaults are the spec's (§5). */
export interface AugmentConfig {
  cropSize: number;
  flipP: number;
  jitterP: number;
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  grayscaleP: number;
  blurKernel: number;
  blurSigma: [number, number];
}

/** Spec §5 defaults: crop 224, flip 0.5, jitter (0.4, 0.4, 0.4, 0.1) with p 0.8, grayscale 0.2, blur 3 with σ ~ U(0.1, 2). */
export const DEFAULT_AUGMENT: Readonly<AugmentConfig> = Object.freeze({
  cropSize: 224,
  flipP: 0.5,
  jitterP: 0.8,
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.4,
  hue: 0.1,
  grayscaleP: 0.2,
  blurKernel: 3,
  blurSigma: [0.1, 2.0] as [number, number],
});

/** Draws one view's parameters for an image of `height` x `width` (torchvision's distributions). */
export function sampleAugmentParams(rng: Rng, height: number, width: number, cfg: AugmentConfig = DEFAULT_AUGMENT): AugmentParams {
  const size = cfg.cropSize;
  if (height < size || width < size) throw new RangeError(`augment: image ${width}x${height} is smaller than the ${size} crop`);
  // RandomCrop.get_params: i ~ randint(0, h - th + 1), j ~ randint(0, w - tw + 1).
  const top = rng.int(0, height - size + 1);
  const left = rng.int(0, width - size + 1);
  const flip = rng.next() < cfg.flipP;
  let jitter: JitterParams | null = null;
  // RandomApply skips when p < rand.
  if (!(cfg.jitterP < rng.next())) {
    const order = rng.permutation(4);
    // Factors uniform in [max(0, 1 - x), 1 + x]; hue in [-x, x].
    jitter = {
      order,
      brightness: rng.uniform(Math.max(0, 1 - cfg.brightness), 1 + cfg.brightness),
      contrast: rng.uniform(Math.max(0, 1 - cfg.contrast), 1 + cfg.contrast),
      saturation: rng.uniform(Math.max(0, 1 - cfg.saturation), 1 + cfg.saturation),
      hue: rng.uniform(-cfg.hue, cfg.hue),
    };
  }
  const grayscale = rng.next() < cfg.grayscaleP;
  const blurSigma = rng.uniform(cfg.blurSigma[0], cfg.blurSigma[1]);
  return { top, left, flip, jitter, grayscale, blurSigma };
}
