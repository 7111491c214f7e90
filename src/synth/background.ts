/**
 * Random backgrounds: a linear gradient, soft blobs and soft-edged rectangles, drawn into an RGB
 * float image. Parameters are drawn once per sequence (a fixed camera scene) and re-drawn per frame.
 */
import { Rng } from "./random.ts";

type RGB = [number, number, number];

/** A background scene; serialisable so it can be sent to worker threads. */
export interface BackgroundParams {
  a: RGB;
  b: RGB;
  /** Gradient direction, radians. */
  angle: number;
  blobs: { x: number; y: number; r: number; c: RGB; k: number }[];
  rects: { x0: number; y0: number; x1: number; y1: number; c: RGB; k: number }[];
}

const randColour = (rng: Rng): RGB => {
  const v = rng.uniform(0.15, 0.9), s = rng.uniform(0, 0.5);
  return [v * (1 - s * rng.next()), v * (1 - s * rng.next()), v * (1 - s * rng.next())];
};

/** Draws a scene (positions in 0..1 image units). */
export function sampleBackground(rng: Rng): BackgroundParams {
  const blobs = Array.from({ length: rng.int(0, 4) }, () => ({ x: rng.next(), y: rng.next(), r: rng.uniform(0.08, 0.4), c: randColour(rng), k: rng.uniform(0.3, 0.9) }));
  const rects = Array.from({ length: rng.int(0, 3) }, () => {
    const x0 = rng.uniform(-0.2, 0.9), y0 = rng.uniform(-0.2, 0.9);
    return { x0, y0, x1: x0 + rng.uniform(0.1, 0.7), y1: y0 + rng.uniform(0.1, 0.7), c: randColour(rng), k: rng.uniform(0.3, 1) };
  });
  return { a: randColour(rng), b: randColour(rng), angle: rng.uniform(0, 2 * Math.PI), blobs, rects };
}

/** Fills `rgb` ([size*size*3], 0..1) with the scene. */
export function drawBackground(p: BackgroundParams, size: number, rgb: Float32Array): void {
  const ca = Math.cos(p.angle), sa = Math.sin(p.angle);
  const inv = 1 / size;
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) * inv;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) * inv;
      const t = Math.min(1, Math.max(0, 0.5 + (u - 0.5) * ca + (v - 0.5) * sa));
      let r = p.a[0] + (p.b[0] - p.a[0]) * t;
      let g = p.a[1] + (p.b[1] - p.a[1]) * t;
      let b = p.a[2] + (p.b[2] - p.a[2]) * t;
      for (const q of p.rects) {
        // Soft edges (about 1.5 % of the image) so rectangles do not alias.
        const e = Math.min(u - q.x0, q.x1 - u, v - q.y0, q.y1 - v);
        if (e <= -0.015) continue;
        const k = q.k * Math.min(1, (e + 0.015) / 0.03);
        r += (q.c[0] - r) * k; g += (q.c[1] - g) * k; b += (q.c[2] - b) * k;
      }
      for (const q of p.blobs) {
        const d2 = ((u - q.x) ** 2 + (v - q.y) ** 2) / (q.r * q.r);
        if (d2 > 6) continue;
        const k = q.k * Math.exp(-d2);
        r += (q.c[0] - r) * k; g += (q.c[1] - g) * k; b += (q.c[2] - b) * k;
      }
      const o = (y * size + x) * 3;
      rgb[o] = r; rgb[o + 1] = g; rgb[o + 2] = b;
    }
  }
}
