/**
 * The 68-point landmark net's input and output geometry, without an engine (face-api's
 * FaceLandmark68Net conventions; ../landmarks.ts runs the net on libtorch, src/web on
 * onnxruntime-web): the integer crop a face box gives, the network input made from it (crop padded
 * to a square centred on the short side, TF's legacy bilinear resize to 112, mean RGB subtracted,
 * divided by 255), and the raw outputs mapped back to image pixels.
 */
import type { Rect, ScoredRect } from "./box.ts";
import type { PixelImage } from "./warp.ts";

/** The landmark net's input side. */
export const LANDMARK_INPUT = 112;

/** face-api's mean RGB, subtracted before the /255. */
export const LANDMARK_MEAN_RGB = [122.782, 117.001, 104.298] as const;

/** An integer crop rectangle. */
export interface LandmarkCropRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The integer crop face-api takes for a box: clipped to the image, then floored. */
export function landmarkCrop(box: Rect | ScoredRect, width: number, height: number): LandmarkCropRect {
  const x = Math.max(box.x, 0), y = Math.max(box.y, 0);
  const w = Math.min(box.x + box.width - x, width - x), h = Math.min(box.y + box.height - y, height - y);
  return { x: Math.floor(x), y: Math.floor(y), w: Math.floor(w), h: Math.floor(h) };
}

/**
 * The network input for each crop: [B,3,112,112] float32, (v - mean) / 255 of the crop's pixels
 * (RGB or RGBA `img`) placed in a square (round(diff/2) zeros after the short side, the rest
 * before, as face-api pads) and resized with TF's legacy bilinear (source = dst * side/112, no
 * half-pixel offset), float32 steps as ../tf-compat.ts's legacyResizeInSquare.
 */
export function landmarkInput(img: PixelImage, crops: readonly LandmarkCropRect[]): Float32Array {
  const { width: W, height: H, data } = img;
  const ch = data.length / (W * H);
  if (ch !== 3 && ch !== 4) throw new RangeError(`landmarkInput: expected RGB or RGBA pixels, got ${data.length} values for ${W}x${H}`);
  const out = LANDMARK_INPUT, plane = out * out;
  const res = new Float32Array(crops.length * 3 * plane);
  const i0 = new Int32Array(out), i1 = new Int32Array(out), fr = new Float32Array(out);
  const fx = new Float32Array(out), j0 = new Int32Array(out), j1 = new Int32Array(out);
  crops.forEach((c, b) => {
    const w = Math.max(c.w, 1), h = Math.max(c.h, 1);
    const x0 = Math.min(c.x, W - 1), y0 = Math.min(c.y, H - 1);
    const side = Math.max(w, h);
    const diff = Math.abs(w - h);
    const before = diff - Math.round(diff / 2);
    const offX = w < h ? before : 0, offY = h < w ? before : 0;
    const scale = Math.fround(side / out);
    // Square coordinate -> crop index, or -1 in the zero padding.
    const axis = (off: number, len: number, a0: Int32Array, a1: Int32Array, f: Float32Array) => {
      for (let j = 0; j < out; j++) {
        const s = Math.fround(j * scale);
        const q0 = Math.floor(s), q1 = Math.min(q0 + 1, side - 1);
        a0[j] = q0 >= off && q0 < off + len ? q0 - off : -1;
        a1[j] = q1 >= off && q1 < off + len ? q1 - off : -1;
        f[j] = s - q0;
      }
    };
    axis(offX, w, j0, j1, fx);
    axis(offY, h, i0, i1, fr);
    const px = (cx: number, cy: number, k: number) => (cx < 0 || cy < 0 ? 0 : data[((y0 + cy) * W + x0 + cx) * ch + k]);
    for (let k = 0; k < 3; k++) {
      const base = (b * 3 + k) * plane;
      for (let i = 0; i < out; i++) {
        for (let j = 0; j < out; j++) {
          // columns first, then rows, in float32 as the engine does
          const tl = px(j0[j], i0[i], k), tr = px(j1[j], i0[i], k), bl = px(j0[j], i1[i], k), br = px(j1[j], i1[i], k);
          const top = Math.fround(tl + Math.fround(Math.fround(tr - tl) * fx[j]));
          const bot = Math.fround(bl + Math.fround(Math.fround(br - bl) * fx[j]));
          const v = Math.fround(top + Math.fround(Math.fround(bot - top) * fr[i]));
          res[base + i * out + j] = (v - LANDMARK_MEAN_RGB[k]) / 255;
        }
      }
    }
  });
  return res;
}

/**
 * The net's raw outputs [B*136] (x, y pairs in 0..1 of the padded square) -> 68 points per crop in
 * image pixels: face-api's postProcess (the unrounded centring pad in 112-pixel units undone), then
 * shifted by the crop's origin.
 */
export function landmarksFromOutput(raw: ArrayLike<number>, crops: readonly LandmarkCropRect[]): Float32Array[] {
  const n = LANDMARK_INPUT;
  return crops.map((c, f) => {
    const w = Math.max(c.w, 1), h = Math.max(c.h, 1);
    const s = n / Math.max(w, h);
    const iw = w * s, ih = h * s;
    const padX = w < h ? Math.abs(iw - ih) / 2 : 0, padY = h < w ? Math.abs(iw - ih) / 2 : 0;
    const pts = new Float32Array(136);
    for (let i = 0; i < 68; i++) {
      pts[2 * i] = c.x + ((raw[f * 136 + 2 * i] * n - padX) / iw) * w;
      pts[2 * i + 1] = c.y + ((raw[f * 136 + 2 * i + 1] * n - padY) / ih) * h;
    }
    return pts;
  });
}

/** Pairs of iBUG 68-point indices that swap under a left-right mirror (the others map to themselves). */
const MIRROR_PAIRS: readonly (readonly [number, number])[] = [
  ...Array.from({ length: 8 }, (_, i) => [i, 16 - i] as const), // jaw
  [17, 26], [18, 25], [19, 24], [20, 23], [21, 22], // brows
  [31, 35], [32, 34], // nostrils
  [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], // eyes
  [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67], // mouth
];

/** For each of the 68 points, the index of the point it becomes in the mirror image. */
export const LANDMARK68_MIRROR: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  for (const [a, b] of MIRROR_PAIRS) { m[a] = b; m[b] = a; }
  return m;
})();

/** Network inputs [B,3,112,112] (as `landmarkInput` makes) mirrored left-right. */
export function mirrorLandmarkInput(x: Float32Array): Float32Array {
  const n = LANDMARK_INPUT;
  if (x.length % (3 * n * n)) throw new RangeError(`mirrorLandmarkInput: ${x.length} values is not a whole number of [3,${n},${n}] inputs`);
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += n) {
    for (let j = 0; j < n; j++) out[r + j] = x[r + n - 1 - j];
  }
  return out;
}

/**
 * Raw outputs made mirror-symmetric: the mean of the net's outputs on its inputs (`raw`) and on
 * their mirror images (`rawMirrored`, from `mirrorLandmarkInput`), the latter mapped back (points
 * swapped left/right, x -> (n - 1) / n - x: the net's x is input pixels / n, pixel j mirrors to
 * n - 1 - j). A face and its mirror photo then get mirrored landmarks from the same crop, which
 * the plain net does not guarantee. Both [B*136].
 */
export function symmetricLandmarkOutput(raw: ArrayLike<number>, rawMirrored: ArrayLike<number>): Float32Array {
  if (raw.length !== rawMirrored.length || raw.length % 136) throw new RangeError(`symmetricLandmarkOutput: expected two [B*136] outputs, got ${raw.length} and ${rawMirrored.length}`);
  const n = LANDMARK_INPUT, back = (n - 1) / n;
  const out = new Float32Array(raw.length);
  for (let f = 0; f < raw.length; f += 136) {
    for (let i = 0; i < 68; i++) {
      const m = f + 2 * LANDMARK68_MIRROR[i];
      out[f + 2 * i] = (raw[f + 2 * i] + back - rawMirrored[m]) / 2;
      out[f + 2 * i + 1] = (raw[f + 2 * i + 1] + rawMirrored[m + 1]) / 2;
    }
  }
  return out;
}
