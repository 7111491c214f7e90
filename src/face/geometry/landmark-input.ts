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
