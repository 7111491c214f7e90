/**
 * The "photo" domain of SynthAU: nuisance closer to real photos than the lab-like default — harsher
 * and coloured light, cast shadows, exposure, skin texture, glasses / beard / hair-strand
 * occluders, wider head pose, stronger blur/noise/JPEG and some greyscale frames. Never labelled:
 * the AU labels of a frame are the same in both domains. Parameters are drawn per sequence (one
 * scene, like a video) from their own random stream, so the lab domain's output is unchanged.
 */
import type { Lighting } from "./appearance.ts";
import type { DegradeParams } from "./degrade.ts";
import { Rng } from "./random.ts";

type RGB = [number, number, number];
const DEG = Math.PI / 180;

/** Domains: "lab" (the fixed-protocol look, default of the BP4D/DISFA-style datasets) or "photo". */
export type SynthDomain = "lab" | "photo";
export const SYNTH_DOMAINS: readonly SynthDomain[] = ["lab", "photo"];

/** Pose limit of the photo domain, radians (about ±35°; the lab domain's is ±20°). */
export const PHOTO_MAX_POSE = 35 * DEG;

/** Per-sequence photo nuisance; plain data (structured-clone safe). */
export interface PhotoParams {
  /** Multiplies the rendered RGB (light colour x exposure). */
  tint: RGB;
  /** A soft cast shadow over the face: direction in the face frame, offset and softness in eye distances, depth 0..1. */
  shadow: { angle: number; offset: number; softness: number; depth: number } | null;
  /** Skin texture amplitude (multiplicative per-pixel detail inside the face), and its key. */
  texture: number;
  textureKey: number;
  glasses: { colour: RGB; thickness: number; lens: number; scale: number } | null;
  beard: { colour: RGB; density: number; full: boolean } | null;
  /** Hair strands over the forehead: each a quadratic curve in face-frame units (eye distances). */
  hair: { colour: RGB; width: number; strands: [number, number, number, number, number, number][] } | null;
  /** Convert the frame to grey (after noise, like a monochrome camera). */
  grey: boolean;
}

const dark = (rng: Rng): RGB => {
  const v = rng.uniform(0.03, 0.35), w = rng.uniform(0.7, 1);
  return [v, v * w, v * w * w];
};

/** Draws the photo nuisance of a sequence. */
export function samplePhoto(rng: Rng): PhotoParams {
  const exposure = rng.chance(0.8) ? rng.uniform(0.75, 1.3) : rng.uniform(0.5, 1.6);
  const warm = rng.uniform(-0.25, 0.25), green = rng.uniform(-0.06, 0.06);
  return {
    tint: [exposure * (1 + warm), exposure * (1 + green), exposure * (1 - warm)],
    shadow: rng.chance(0.45) ? { angle: rng.uniform(0, 2 * Math.PI), offset: rng.uniform(-0.6, 0.6), softness: rng.uniform(0.05, 0.6), depth: rng.uniform(0.25, 0.7) } : null,
    texture: rng.uniform(0.02, 0.09),
    textureKey: (rng.next() * 4294967296) >>> 0,
    glasses: rng.chance(0.25) ? { colour: dark(rng), thickness: rng.uniform(0.02, 0.06), lens: rng.chance(0.3) ? rng.uniform(0.2, 0.6) : rng.uniform(0, 0.1), scale: rng.uniform(0.85, 1.15) } : null,
    beard: rng.chance(0.2) ? { colour: dark(rng), density: rng.uniform(0.3, 0.9), full: rng.chance(0.5) } : null,
    hair: rng.chance(0.3)
      ? {
        colour: dark(rng),
        width: rng.uniform(0.015, 0.04),
        strands: Array.from({ length: rng.int(1, 6) }, () => {
          const x0 = rng.uniform(-1, 1);
          return [x0, -1.25, x0 + rng.uniform(-0.5, 0.5), rng.uniform(-1, -0.6), x0 + rng.uniform(-0.8, 0.8), rng.uniform(-0.8, -0.2)];
        }),
      }
      : null,
    grey: rng.chance(0.12),
  };
}

/** Harsher light than the lab domain's: key light up to ~80° off the camera axis, stronger tints. */
export function samplePhotoLighting(rng: Rng): Lighting {
  const theta = rng.uniform(0, 1.4), phi = rng.uniform(0, 2 * Math.PI);
  const dir: [number, number, number] = [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi) * 0.8 + 0.1, Math.cos(theta)];
  const l = Math.hypot(...dir);
  const tint = rng.uniform(-0.2, 0.2);
  const k = rng.uniform(0.55, 1.05);
  const amb = rng.uniform(0.08, 0.4);
  return {
    dir: [dir[0] / l, dir[1] / l, dir[2] / l],
    colour: [k * (1 + tint), k, k * (1 - tint)],
    ambient: [amb * (1 + rng.uniform(-0.15, 0.15)), amb, amb * (1 + rng.uniform(-0.15, 0.15))],
    specular: rng.uniform(0.02, 0.25),
    shininess: rng.uniform(8, 45),
  };
}

/** Camera degradation of the photo domain: more blur, noise and compression than the lab domain. */
export function samplePhotoDegrade(rng: Rng): DegradeParams {
  return {
    blur: rng.chance(0.7) ? rng.uniform(0.35, 1.6) : rng.uniform(1.6, 3),
    noise: rng.chance(0.6) ? rng.uniform(1, 6) : rng.uniform(6, 14),
    jpegQuality: rng.int(25, 92),
    gain: rng.uniform(0.8, 1.2),
    contrast: rng.uniform(0.75, 1.25),
  };
}

const smooth = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Integer hash -> 0..1 (per-pixel texture). */
function hash01(x: number, y: number, k: number): number {
  let h = (Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ k) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Applies the photo nuisance to a rendered frame in place: rgb [size*size*3] floats 0..1, mask
 * [size*size] (1 = face), landmarks [136] (pixels). Occluders follow the landmarks (they move with
 * the head); the face frame is the eye line (outer corners 36, 45) and its normal.
 */
export function applyPhoto(rgb: Float32Array, mask: Uint8Array, landmarks: Float32Array, size: number, p: PhotoParams): void {
  const L = (i: number): [number, number] => [landmarks[2 * i], landmarks[2 * i + 1]];
  const [ax, ay] = L(36), [bx, by] = L(45);
  const eye = Math.max(1, Math.hypot(bx - ax, by - ay));
  const ux = (bx - ax) / eye, uy = (by - ay) / eye; // along the eye line
  const vx = -uy, vy = ux; // down the face
  const cx = (ax + bx) / 2, cy = (ay + by) / 2;
  // Face-frame coordinates (eye distances) of a pixel, origin between the eyes.
  const fu = (x: number, y: number) => ((x - cx) * ux + (y - cy) * uy) / eye;
  const fv = (x: number, y: number) => ((x - cx) * vx + (y - cy) * vy) / eye;
  const toPix = (u: number, v: number): [number, number] => [cx + eye * (u * ux + v * vx), cy + eye * (u * uy + v * vy)];
  const blend = (o: number, c: RGB, k: number) => {
    rgb[o] += (c[0] - rgb[o]) * k; rgb[o + 1] += (c[1] - rgb[o + 1]) * k; rgb[o + 2] += (c[2] - rgb[o + 2]) * k;
  };
  const [nx, ny] = L(33); // nose base
  const noseV = fv(nx, ny);
  const [chx, chy] = L(8); // chin
  const chinV = fv(chx, chy);
  const [m0x, m0y] = L(48), [m1x, m1y] = L(54), [mtx, mty] = L(51), [mbx, mby] = L(57);
  const mouthU = (fu(m0x, m0y) + fu(m1x, m1y)) / 2, mouthV = (fv(mtx, mty) + fv(mbx, mby)) / 2;
  const mouthHalfW = Math.abs(fu(m1x, m1y) - fu(m0x, m0y)) / 2 + 0.08, mouthHalfH = Math.abs(fv(mbx, mby) - fv(mtx, mty)) / 2 + 0.05;
  const sh = p.shadow;
  const sdx = sh ? Math.cos(sh.angle) : 0, sdy = sh ? Math.sin(sh.angle) : 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x, o = i * 3;
      rgb[o] *= p.tint[0]; rgb[o + 1] *= p.tint[1]; rgb[o + 2] *= p.tint[2];
      if (!mask[i]) continue;
      const u = fu(x + 0.5, y + 0.5), v = fv(x + 0.5, y + 0.5);
      let k = 1 + p.texture * (2 * hash01(x, y, p.textureKey) - 1);
      if (sh) k *= 1 - sh.depth * smooth(-sh.softness, sh.softness, u * sdx + v * sdy - sh.offset);
      rgb[o] *= k; rgb[o + 1] *= k; rgb[o + 2] *= k;
      if (p.beard && v > noseV + 0.08 && v < chinV + 0.04) {
        const du = (u - mouthU) / mouthHalfW, dv = (v - mouthV) / mouthHalfH;
        const onLips = du * du + dv * dv < 1;
        // Stubble/moustache everywhere below the nose; a full beard also thickens towards the chin.
        const dens = p.beard.density * (p.beard.full ? smooth(noseV, mouthV + 0.4, v) * 0.5 + 0.5 : 0.55) * (1 - smooth(chinV - 0.12, chinV + 0.04, v));
        if (!onLips && hash01(x, y, p.textureKey ^ 0x9e3779b9) < dens) blend(o, p.beard.colour, 0.75);
      }
    }
  }
  if (p.glasses) drawGlasses(rgb, size, p.glasses, L, eye, toPix);
  if (p.hair) {
    for (const s of p.hair.strands) {
      const r = Math.max(0.6, p.hair.width * eye);
      for (let t = 0; t <= 1; t += 0.5 / (eye * 2)) {
        const a = (1 - t) * (1 - t), b = 2 * t * (1 - t), c = t * t;
        const [px, py] = toPix(a * s[0] + b * s[2] + c * s[4], a * s[1] + b * s[3] + c * s[5]);
        stamp(rgb, size, px, py, r, p.hair.colour, 0.85);
      }
    }
  }
}

/** Blends a soft disc of radius r (pixels) at (px, py). */
function stamp(rgb: Float32Array, size: number, px: number, py: number, r: number, c: RGB, k: number): void {
  const x0 = Math.max(0, Math.floor(px - r - 1)), x1 = Math.min(size - 1, Math.ceil(px + r + 1));
  const y0 = Math.max(0, Math.floor(py - r - 1)), y1 = Math.min(size - 1, Math.ceil(py + r + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - px, y + 0.5 - py);
      const a = k * (1 - smooth(r - 0.5, r + 0.5, d));
      if (a <= 0) continue;
      const o = (y * size + x) * 3;
      rgb[o] += (c[0] - rgb[o]) * a; rgb[o + 1] += (c[1] - rgb[o + 1]) * a; rgb[o + 2] += (c[2] - rgb[o + 2]) * a;
    }
  }
}

/** Two elliptic rims around the eyes, a bridge and the temples' start; optional tinted lenses. */
function drawGlasses(rgb: Float32Array, size: number, g: NonNullable<PhotoParams["glasses"]>, L: (i: number) => [number, number], eye: number, toPix: (u: number, v: number) => [number, number]): void {
  const rx = 0.3 * g.scale, ry = 0.2 * g.scale, th = g.thickness * 0.5;
  // Eye centres: the mean of each eye's six points (36-41, 42-47).
  const centres: [number, number][] = [36, 42].map((a) => {
    let sx = 0, sy = 0;
    for (let i = a; i < a + 6; i++) { const q = L(i); sx += q[0]; sy += q[1]; }
    return [sx / 6, sy / 6];
  });
  const [ax, ay] = L(36), [bx, by] = L(45);
  const ux = (bx - ax) / eye, uy = (by - ay) / eye, vx = -uy, vy = ux;
  const R = Math.ceil((rx + th) * eye) + 2;
  for (const [ex, ey] of centres) {
    const x0 = Math.max(0, Math.floor(ex - R)), x1 = Math.min(size - 1, Math.ceil(ex + R));
    const y0 = Math.max(0, Math.floor(ey - R)), y1 = Math.min(size - 1, Math.ceil(ey + R));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const du = ((x + 0.5 - ex) * ux + (y + 0.5 - ey) * uy) / eye, dv = ((x + 0.5 - ex) * vx + (y + 0.5 - ey) * vy) / eye;
        const d = Math.hypot(du / rx, dv / ry); // 1 on the rim
        const rimDist = Math.abs(d - 1) * Math.min(rx, ry) * eye; // pixels
        const o = (y * size + x) * 3;
        if (d < 1 && g.lens > 0) { rgb[o] *= 1 - g.lens; rgb[o + 1] *= 1 - g.lens; rgb[o + 2] *= 1 - 0.9 * g.lens; }
        const a = 1 - smooth(th * eye - 0.5, th * eye + 0.5, rimDist);
        if (a > 0) { rgb[o] += (g.colour[0] - rgb[o]) * a; rgb[o + 1] += (g.colour[1] - rgb[o + 1]) * a; rgb[o + 2] += (g.colour[2] - rgb[o + 2]) * a; }
      }
    }
  }
  // Bridge between the rims and the temples running out from them, in face-frame units.
  const line = (u0: number, v0: number, u1: number, v1: number) => {
    const n = Math.ceil(Math.hypot(u1 - u0, v1 - v0) * eye * 2) + 1;
    for (let s = 0; s <= n; s++) {
      const [px, py] = toPix(u0 + ((u1 - u0) * s) / n, v0 + ((v1 - v0) * s) / n);
      stamp(rgb, size, px, py, Math.max(0.6, th * eye), g.colour, 1);
    }
  };
  const cu = (p: [number, number]) => ((p[0] - (ax + bx) / 2) * ux + (p[1] - (ay + by) / 2) * uy) / eye;
  const cv = (p: [number, number]) => ((p[0] - (ax + bx) / 2) * vx + (p[1] - (ay + by) / 2) * vy) / eye;
  const [l, r] = centres;
  line(cu(l) + rx, cv(l) - 0.05, cu(r) - rx, cv(r) - 0.05);
  line(cu(l) - rx, cv(l) - 0.03, cu(l) - rx - 0.25, cv(l) - 0.06);
  line(cu(r) + rx, cv(r) - 0.03, cu(r) + rx + 0.25, cv(r) - 0.06);
}

/** RGB bytes -> grey (Rec. 601 luma) in place. */
export function toGrey(rgb: Uint8Array): void {
  for (let o = 0; o < rgb.length; o += 3) {
    const g = (0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2] + 0.5) | 0;
    rgb[o] = rgb[o + 1] = rgb[o + 2] = g;
  }
}
