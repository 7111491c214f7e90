import assert from "node:assert/strict";
import { test } from "node:test";
import { AU_INPUT, auInputs, invertAffine, similarityTransform, warpFaces, type Affine } from "../../../src/face/align.ts";
import { warpToChw } from "../../../src/face/geometry/warp.ts";

/** A seeded 8-bit RGB image (LCG), smooth enough that bilinear weights matter. */
function image(width: number, height: number, seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
  return { width, height, data };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

// Two faces' worth of transforms: rotated and scaled, one reaching past the image edge (zeros).
const transforms: Affine[] = [
  similarityTransform([10, 20, 50, 25, 30, 60], [80, 90, 170, 95, 128, 170], [0, 1, 2]),
  similarityTransform([-5, -8, 40, 2, 12, 50], [60, 60, 200, 80, 120, 230], [0, 1, 2]),
];

test("warpToChw samples as libtorch's affine_grid + grid_sample (warpFaces), edges included", () => {
  const img = image(61, 47, 3);
  const want = warpFaces(img, transforms, 40, 7);
  const got = warpToChw(img, transforms.map(invertAffine), 40, 7);
  assert.deepEqual(want.shape, [2, 3, 40, 40]);
  assert.equal(got.length, 2 * 3 * 40 * 40);
  // float32 bilinear on 0..1 values: rounding differs by a few ulp only
  assert.ok(maxDiff(got, want.data<"float32">()) < 2e-6, `max diff ${maxDiff(got, want.data<"float32">())}`);
  const zeros = Array.from(got).filter((v) => v === 0).length;
  assert.ok(zeros > 100, "the second transform leaves the image: its corner reads zeros");
  want.dispose();
});

test("warpToChw with the AU normalisation equals auInputs, on RGBA input too", () => {
  const img = image(300, 260, 9);
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    rgba.set(img.data.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = 255;
  }
  const want = auInputs(img, transforms);
  const got = warpToChw({ width: img.width, height: img.height, data: rgba }, transforms.map(invertAffine), AU_INPUT.size, 16, AU_INPUT);
  // libtorch computes the sampling grid in float32 (coordinates up to ~300 px: ~1e-5 px apart from
  // ours); on this noise image a pixel step is up to 255 levels, 5 normalised units.
  assert.ok(maxDiff(got, want.data<"float32">()) < 1e-4, `max diff ${maxDiff(got, want.data<"float32">())}`);
  want.dispose();
});

test("warpToChw refuses pixels that are neither RGB nor RGBA", () => {
  assert.throws(() => warpToChw({ width: 2, height: 2, data: new Uint8Array(8) }, [], 4), /expected RGB or RGBA pixels .* got 8 for 2x2/);
  assert.throws(() => warpToChw({ width: 2, height: 2, data: new Uint8Array(12) }, [], 0), /out must be a whole number >= 1, got 0/);
});
