/**
 * Draws results onto a copy of an RGB frame, in plain JS on the pixel buffer so images (via sharp)
 * and videos (via ffmpeg) share one renderer: face boxes, the 68 landmarks, and per face a panel of
 * AU bars (the AU number in a 3x5 pixel font, bar length = probability, green when present).
 */
import type { RgbImage } from "./image.ts";

/** What the overlay shows for one face. */
export interface OverlayFace {
  box: { x: number; y: number; width: number; height: number };
  landmarks?: ArrayLike<number>;
  faceId?: number;
  aus?: { au: number; probability: number; present: boolean }[];
}

// 3x5 glyphs, rows top to bottom, 3 bits each (MSB = left column).
const GLYPHS: Record<string, number[]> = {
  "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
  "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
  A: [2, 5, 7, 5, 5], U: [5, 5, 5, 5, 7], "#": [5, 7, 5, 7, 5],
};

type Rgb = readonly [number, number, number];

class Canvas {
  constructor(readonly img: RgbImage) {}
  px(x: number, y: number, c: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.img.width || y >= this.img.height) return;
    const o = (y * this.img.width + x) * 3;
    this.img.data[o] = c[0]; this.img.data[o + 1] = c[1]; this.img.data[o + 2] = c[2];
  }
  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = Math.round(y); j < Math.round(y + h); j++) for (let i = Math.round(x); i < Math.round(x + w); i++) this.px(i, j, c);
  }
  rect(x: number, y: number, w: number, h: number, t: number, c: Rgb): void {
    this.fill(x, y, w, t, c); this.fill(x, y + h - t, w, t, c);
    this.fill(x, y, t, h, c); this.fill(x + w - t, y, t, h, c);
  }
  text(x: number, y: number, s: string, scale: number, c: Rgb): void {
    [...s].forEach((ch, k) => {
      const g = GLYPHS[ch];
      if (!g) return;
      g.forEach((row, r) => { for (let col = 0; col < 3; col++) if (row & (4 >> col)) this.fill(x + (k * 4 + col) * scale, y + r * scale, scale, scale, c); });
    });
  }
}

/** A copy of `img` with the faces drawn on it. */
export function drawOverlay(img: RgbImage, faces: readonly OverlayFace[]): RgbImage {
  const out: RgbImage = { width: img.width, height: img.height, data: new Uint8Array(img.data) };
  const cv = new Canvas(out);
  const s = Math.max(1, Math.round(Math.min(img.width, img.height) / 400)); // line/text scale
  for (const f of faces) {
    const { x, y, width, height } = f.box;
    cv.rect(x, y, width, height, 2 * s, [0, 200, 255]);
    if (f.faceId !== undefined) cv.text(x, y - 7 * s, `#${f.faceId}`, s, [0, 200, 255]);
    if (f.landmarks) for (let i = 0; i < f.landmarks.length; i += 2) cv.fill(f.landmarks[i] - s, f.landmarks[i + 1] - s, 2 * s, 2 * s, [255, 60, 60]);
    if (f.aus?.length) {
      const rowH = 7 * s, barMax = 40 * s;
      const px = x + width + 4 * s > img.width - (barMax + 20 * s) ? Math.max(0, x - barMax - 22 * s) : x + width + 4 * s;
      cv.fill(px, y, barMax + 20 * s, rowH * f.aus.length + 2 * s, [20, 20, 20]);
      f.aus.forEach((a, k) => {
        const ry = y + s + k * rowH;
        cv.text(px + s, ry, `${String(a.au).padStart(2, "0")}`, s, [230, 230, 230]);
        const len = Math.max(0, Math.min(1, a.probability)) * barMax;
        cv.fill(px + 10 * s, ry, len, 5 * s, a.present ? [40, 220, 60] : [130, 130, 130]);
      });
    }
  }
  return out;
}
