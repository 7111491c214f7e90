/**
 * Face alignment on the engine: the similarity transform from landmarks to the template (pure
 * maths in geometry/similarity.ts, re-exported here) applied as a bilinear warp to a 256x256
 * crop, then the spec's test-time view of it: the 224x224 centre crop, scaled to 0..1 and normalised per channel (aunce-spec §5). See docs/alignment.md; changing the
 * template or the point set is a new version, since models trained on one framing degrade on another.
 */
import { AU_INPUT } from "./geometry/au-input.ts";
import { affineGrid, fromArray, gridSample, noGrad, Tensor } from "../tensor/index.ts";
import { imageToTensor, type RgbImage } from "./image.ts";
import { ALIGN_TEMPLATE_V1, invertAffine, type Affine, type AlignTemplate } from "./geometry/similarity.ts";

export { ALIGN_TEMPLATE_V1, alignmentFor, alignmentFor5, applyAffine, invertAffine, similarityTransform, type Affine, type AlignTemplate } from "./geometry/similarity.ts";

export { AU_INPUT };

/**
 * Warps `img` into out x out crops, one per transform (image -> crop pixels, in the template's
 * frame), taking the window starting at (offset, offset) of that frame: offset 0 and out 256 give
 * the full aligned crop, offset 16 and out 224 its centre crop. Bilinear, black outside the image.
 * Returns [B,3,out,out] float32 in 0..1.
 */
export function warpFaces(img: RgbImage | Tensor, transforms: readonly Affine[], out: number, offset = 0): Tensor {
  return noGrad(() => {
    const src = img instanceof Tensor ? img : imageToTensor(img);
    const [, , H, W] = src.shape;
    // theta maps output normalised coords (align_corners=false) to input normalised coords:
    // out pixel u = ((xn + 1) * out - 1) / 2 + offset; image pixel p = M^-1 u; xin = (2p + 1) / W - 1.
    const theta = new Float32Array(transforms.length * 6);
    transforms.forEach((m, k) => {
      const inv = invertAffine(m);
      const ox = (out - 1) / 2 + offset; // u = (out/2) xn + ox
      const h = out / 2;
      const row = (r0: number, r1: number, r2: number, size: number, o: number) => {
        // xin = (2/size) (r0 u + r1 v + r2) + 1/size - 1, with u = h xn + ox, v = h yn + ox
        const s = 2 / size;
        theta[k * 6 + o] = s * r0 * h;
        theta[k * 6 + o + 1] = s * r1 * h;
        theta[k * 6 + o + 2] = s * (r0 * ox + r1 * ox + r2) + 1 / size - 1;
      };
      row(inv[0], inv[1], inv[2], W, 0);
      row(inv[3], inv[4], inv[5], H, 3);
    });
    const th = fromArray(theta, [transforms.length, 2, 3]);
    const grid = affineGrid(th, [transforms.length, 3, out, out], false);
    const b = src.shape[0] === transforms.length ? src.alias() : src.expand([transforms.length, 3, H, W]);
    const warped = gridSample(b, grid, "bilinear", "zeros", false);
    const scaled = warped.div(255);
    for (const t of [th, grid, b, warped]) t.dispose();
    if (src !== img) src.dispose();
    return scaled;
  });
}

/**
 * The AU model's input for aligned faces: [B,3,224,224] float32, centre 224 of the 256 template
 * crop, (x/255 - mean) / std per channel.
 */
export function auInputs(img: RgbImage | Tensor, transforms: readonly Affine[], template: AlignTemplate = ALIGN_TEMPLATE_V1): Tensor {
  const off = (template.size - AU_INPUT.size) / 2;
  const crops = warpFaces(img, transforms, AU_INPUT.size, off);
  return noGrad(() => {
    const mean = fromArray(Float32Array.from(AU_INPUT.mean), [1, 3, 1, 1]);
    const std = fromArray(Float32Array.from(AU_INPUT.std), [1, 3, 1, 1]);
    const c = crops.sub(mean);
    const n = c.div(std);
    for (const t of [mean, std, c, crops]) t.dispose();
    return n;
  });
}
