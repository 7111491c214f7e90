/**
 * The per-view pipelines. Train (spec §5 order): RandomCrop -> RandomHorizontalFlip -> ToTensor ->
 * RandomApply(ColorJitter, p) -> RandomGrayscale -> GaussianBlur -> Normalize. Test: CenterCrop ->
 * ToTensor -> Normalize.
 *
 * Semantics are torchvision 0.14's tensor functions on float images (checked against them in
 * test/data/transforms.test.ts). The reference ran jitter, grayscale and blur on PIL images, which
 * differs in rounding only: PIL rounds to uint8 after every jitter step and after the blur (torchvision
 * blurs a PIL image as a uint8 tensor and rounds back), uses integer grayscale weights, and contrast
 * blends with the rounded mean. Crop, flip, ToTensor and Normalize are identical on both paths, and
 * sharp decodes JPEGs to the same bytes as PIL (also tested).
 */
import { gaussianBlur } from "./blur.ts";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale3 } from "./colour.ts";
import { centreCropOffset, cropFlipToFloat } from "./geometry.ts";
import type { FloatImage, RgbImage } from "./image.ts";
import { normalize } from "./normalize.ts";
import type { AugmentParams } from "./params.ts";

/**
 * Writes one augmented view of `src` as [3, size, size] float32, normalised, into `out` (a view of
 * the batch buffer). `scratch` (>= 3*size*size floats) is reused by the blur.
 */
export function augmentView(src: RgbImage, p: AugmentParams, size: number, out: Float32Array, scratch?: Float32Array, blurKernel = 3): void {
  const img = cropFlipToFloat(src, p.top, p.left, size, p.flip, out);
  if (p.jitter) {
    const j = p.jitter;
    for (const fn of j.order) {
      if (fn === 0 && j.brightness !== undefined) adjustBrightness(img, j.brightness);
      else if (fn === 1 && j.contrast !== undefined) adjustContrast(img, j.contrast);
      else if (fn === 2 && j.saturation !== undefined) adjustSaturation(img, j.saturation);
      else if (fn === 3 && j.hue !== undefined) adjustHue(img, j.hue);
    }
  }
  if (p.grayscale) toGrayscale3(img);
  if (p.blurSigma !== null) gaussianBlur(img, p.blurSigma, blurKernel, scratch);
  normalize(img);
}

/** Writes the test-time view (centre crop `size`, normalised) of `src` into `out` as [3, size, size] float32. */
export function testView(src: RgbImage, size: number, out: Float32Array): FloatImage {
  const { top, left } = centreCropOffset(src.height, src.width, size);
  const img = cropFlipToFloat(src, top, left, size, false, out);
  normalize(img);
  return img;
}
