/**
 * The hard-face detection set: SynthAU scenes with one face made hard in one way each (head turned
 * up to 75°, pitched, rolled, greyscale, a hand or an object over part of the face, a tiny face,
 * dark or over-exposed), plus scenes with no face (for false positives). Each scene comes with its
 * ground-truth face box, derived from the projected 68 landmarks (faceBoxFromLandmarks). Every
 * image is a pure function of (seed, condition, index): the set is reproducible and any scene can
 * be regenerated alone. Used by bench/hard-faces.ts and test/face/hard-faces.test.ts.
 */
import { sampleLighting } from "./appearance.ts";
import { RENDERABLE_AUS } from "./au-map.ts";
import { drawBackground, sampleBackground } from "./background.ts";
import { type DegradeParams, degradeToBytes, sampleDegrade } from "./degrade.ts";
import { hashKey, Rng } from "./random.ts";
import { FaceRenderer, type FrameSpec } from "./render.ts";
import { sampleSubject } from "./sequences.ts";

/** The conditions of the hard-face set; "frontal" is the easy reference, "noface" has no face. */
export const HARD_CONDITIONS = ["frontal", "yaw45", "yaw75", "pitch", "roll", "grey", "occluded", "tiny", "dark", "bright", "noface"] as const;
export type HardCondition = (typeof HARD_CONDITIONS)[number];

/** What each condition is, in words (for tables and docs). */
export const HARD_CONDITION_WORDS: Readonly<Record<HardCondition, string>> = {
  frontal: "near-frontal (yaw, pitch, roll about ±5°), faces 80-160 px",
  yaw45: "head turned 30-50°",
  yaw75: "head turned 55-75° (near profile)",
  pitch: "head tilted up or down 20-35°",
  roll: "head rolled 25-45°",
  grey: "greyscale",
  occluded: "a hand or an object over 25-45% of the face",
  tiny: "face 24-48 px",
  dark: "dark (gain 0.15-0.3, more noise)",
  bright: "over-exposed (gain 1.8-2.6, clipped)",
  noface: "no face (background only)",
};

/** An axis-aligned box in pixels (x, y = top-left corner). */
export interface HardBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One scene of the set: RGB bytes and the true face boxes (none for "noface"). */
export interface HardFaceImage {
  condition: HardCondition;
  index: number;
  width: number;
  height: number;
  /** RGB uint8 [height*width*3]. */
  rgb: Uint8Array;
  faces: HardBox[];
  /** The head pose drawn (degrees), for faces. */
  pose?: { yaw: number; pitch: number; roll: number };
}

/** Options of hardFaceImage / hardFaceSet. */
export interface HardFaceOptions {
  /** Seed of the whole set. Default 1. */
  seed?: number;
  /** Scene side, pixels (square). Default 320. */
  size?: number;
}

const DEG = Math.PI / 180;
/** Part of the box above the landmarks' top (brows) added for the forehead, in landmark-box heights. */
export const FOREHEAD = 0.22;

/**
 * The face box of a rendered face from its 68 landmarks ([x0, y0, ...] pixels): the landmarks'
 * bounding box (jaw line to jaw line, brows to chin) with FOREHEAD of its height added on top, as
 * face-detection sets (WIDER FACE) frame a face from forehead to chin.
 */
export function faceBoxFromLandmarks(lm: ArrayLike<number>): HardBox {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < lm.length; i += 2) {
    x0 = Math.min(x0, lm[i]); x1 = Math.max(x1, lm[i]);
    y0 = Math.min(y0, lm[i + 1]); y1 = Math.max(y1, lm[i + 1]);
  }
  const h = y1 - y0;
  return { x: x0, y: y0 - FOREHEAD * h, width: x1 - x0, height: h * (1 + FOREHEAD) };
}

const CONDITION_ID: Readonly<Record<HardCondition, number>> = Object.fromEntries(HARD_CONDITIONS.map((c, i) => [c, 101 + i])) as Record<HardCondition, number>;
const sign = (rng: Rng) => (rng.chance(0.5) ? 1 : -1);

let sharedRenderer: FaceRenderer | null = null;

/**
 * Scene `index` of `condition`: deterministic in (seed, condition, index, size). `renderer`: reuse
 * one across calls (loading the face model takes a moment); a shared one is made when omitted.
 */
export function hardFaceImage(condition: HardCondition, index: number, opts: HardFaceOptions = {}, renderer?: FaceRenderer): HardFaceImage {
  if (!HARD_CONDITIONS.includes(condition)) throw new RangeError(`hardFaceImage: condition must be one of ${HARD_CONDITIONS.join(", ")}, got ${JSON.stringify(condition)}`);
  if (!(Number.isInteger(index) && index >= 0)) throw new RangeError(`hardFaceImage: index must be a whole number >= 0, got ${index}`);
  const seed = opts.seed ?? 1, size = opts.size ?? 320;
  if (!(Number.isInteger(size) && size >= 64)) throw new RangeError(`hardFaceImage: size must be a whole number >= 64, got ${size}`);
  const rng = Rng.of(seed, CONDITION_ID[condition], index);
  const degrade = sampleDegrade(rng);
  degrade.jpegQuality = 100;
  if (condition === "dark") Object.assign(degrade, { gain: rng.uniform(0.15, 0.3), noise: rng.uniform(3, 8) });
  if (condition === "bright") Object.assign(degrade, { gain: rng.uniform(1.8, 2.6), contrast: rng.uniform(0.9, 1.2) });
  const background = sampleBackground(rng);
  if (condition === "noface") {
    const bg = new Float32Array(size * size * 3);
    drawBackground(background, size, bg);
    return { condition, index, width: size, height: size, rgb: degradeToBytes(bg, degrade, rng), faces: [] };
  }
  const subject = sampleSubject(seed, hashKey(CONDITION_ID[condition], index) & 0xffffff);
  const mild = () => 5 * DEG * rng.normal();
  const pose = { yaw: mild(), pitch: mild(), roll: mild() };
  if (condition === "yaw45") pose.yaw = sign(rng) * rng.uniform(30, 50) * DEG;
  if (condition === "yaw75") pose.yaw = sign(rng) * rng.uniform(55, 75) * DEG;
  if (condition === "pitch") pose.pitch = sign(rng) * rng.uniform(20, 35) * DEG;
  if (condition === "roll") pose.roll = sign(rng) * rng.uniform(25, 45) * DEG;
  // The landmark box's side in the scene; tiny faces: a 24-48 px face box (landmark box + forehead).
  const side = condition === "tiny" ? rng.uniform(24, 48) / (1 + FOREHEAD) : rng.uniform(80, 160);
  const cropScale = size / side;
  // The face anywhere in the scene with its box inside it (shift in landmark-box units).
  const room = Math.max(0, (cropScale - 1.5) / 2);
  const aus: [number, number, number, number][] = [];
  for (let k = rng.int(0, 3); k > 0; k--) aus.push([rng.pick(RENDERABLE_AUS), rng.uniform(1, 4), 1, 1]);
  const spec: FrameSpec = {
    subjectId: subject.index,
    backgroundId: hashKey(seed, CONDITION_ID[condition], index),
    identity: subject.identity,
    appearance: subject.appearance,
    aus,
    extra: [],
    gaze: [0.1 * rng.normal(), 0.05 * rng.normal()],
    view: { pose, distance: rng.uniform(50, 110), cropScale, shiftX: rng.uniform(-room, room), shiftY: rng.uniform(-room, room), size },
    light: sampleLighting(rng),
    background,
    degrade,
    noiseKey: hashKey(seed, CONDITION_ID[condition], index, 7),
  };
  const r = (renderer ?? (sharedRenderer ??= new FaceRenderer())).render(spec);
  const box = faceBoxFromLandmarks(r.landmarks);
  const rgb = r.rgb;
  if (condition === "occluded") occlude(rgb, size, box, subject.appearance.skin, degrade, rng);
  if (condition === "grey") greyscale(rgb);
  return { condition, index, width: size, height: size, rgb, faces: [box], pose: { yaw: pose.yaw / DEG, pitch: pose.pitch / DEG, roll: pose.roll / DEG } };
}

/** Every scene of the set, condition by condition: `perCondition` faces each (and as many no-face scenes, or `noFace`). */
export function* hardFaceSet(perCondition: number, opts: HardFaceOptions & { conditions?: readonly HardCondition[]; noFace?: number } = {}): Generator<HardFaceImage> {
  const renderer = new FaceRenderer();
  for (const c of opts.conditions ?? HARD_CONDITIONS) {
    const n = c === "noface" ? (opts.noFace ?? perCondition) : perCondition;
    for (let i = 0; i < n; i++) yield hardFaceImage(c, i, opts, renderer);
  }
}

/** Luma (BT.601) into all three channels. */
function greyscale(rgb: Uint8Array): void {
  for (let i = 0; i < rgb.length; i += 3) {
    const y = Math.round(0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]);
    rgb[i] = rgb[i + 1] = rgb[i + 2] = y;
  }
}

/**
 * Paints an occluder over 25-45% of the face box: a hand (skin-coloured palm ellipse with four
 * fingers, shaded) or an object (a flat-coloured rounded rectangle: a mug, a phone), over the
 * eyes, the mouth or one side of the face. Soft 1-px edges; the scene's gain applies to it too.
 */
function occlude(rgb: Uint8Array, size: number, face: HardBox, skin: readonly number[], d: DegradeParams, rng: Rng): void {
  const hand = rng.chance(0.5);
  const where = rng.int(0, 2); // 0 eyes/brow, 1 mouth/chin, 2 one side
  const frac = rng.uniform(0.25, 0.45);
  const fx = face.x, fy = face.y, fw = face.width, fh = face.height;
  // Occluder rectangle covering about `frac` of the face box.
  let ox: number, oy: number, ow: number, oh: number;
  if (where === 2) {
    ow = fw * frac * 1.1; oh = fh * 0.95;
    ox = rng.chance(0.5) ? fx - 0.1 * ow : fx + fw - 0.9 * ow; oy = fy + 0.05 * fh;
  } else {
    ow = fw * 1.1; oh = fh * frac;
    ox = fx - 0.05 * fw; oy = where === 0 ? fy + 0.15 * fh : fy + fh * (1 - frac) + 0.05 * fh;
  }
  const g = d.gain * d.contrast;
  const base = hand ? skin.map((c) => c * rng.uniform(0.85, 1)) : [rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)];
  const shapes: ((u: number, v: number) => number)[] = [];
  if (hand) {
    // Palm: an ellipse on the occluder's near half; fingers: four thin ellipses across the rest.
    const vertical = where === 2;
    const ell = (cx: number, cy: number, rx: number, ry: number) => (u: number, v: number) => 1 - Math.hypot((u - cx) / rx, (v - cy) / ry);
    if (vertical) {
      shapes.push(ell(ox + ow / 2, oy + oh * 0.7, ow / 2, oh * 0.3));
      for (let k = 0; k < 4; k++) shapes.push(ell(ox + ow * (0.15 + 0.23 * k), oy + oh * 0.35, ow * 0.1, oh * 0.3));
    } else {
      const fromLeft = rng.chance(0.5);
      shapes.push(ell(fromLeft ? ox + ow * 0.2 : ox + ow * 0.8, oy + oh / 2, ow * 0.22, oh / 2));
      for (let k = 0; k < 4; k++) shapes.push(ell(ox + ow / 2 + (fromLeft ? 0.05 : -0.05) * ow, oy + oh * (0.14 + 0.24 * k), ow * 0.33, oh * 0.11));
    }
  } else {
    const r = Math.min(ow, oh) * 0.2;
    shapes.push((u, v) => {
      const dx = Math.max(ox + r - u, 0, u - (ox + ow - r)), dy = Math.max(oy + r - v, 0, v - (oy + oh - r));
      return (r - Math.hypot(dx, dy)) / Math.max(r, 1);
    });
  }
  const edge = Math.max(1, Math.min(ow, oh) * 0.5); // inside-ness per pixel for a ~1 px soft edge
  const x0 = Math.max(0, Math.floor(ox - 2)), x1 = Math.min(size - 1, Math.ceil(ox + ow + 2));
  const y0 = Math.max(0, Math.floor(oy - 2)), y1 = Math.min(size - 1, Math.ceil(oy + oh + 2));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let inside = -Infinity;
      for (const s of shapes) inside = Math.max(inside, s(x + 0.5, y + 0.5));
      const a = Math.min(1, Math.max(0, inside * edge + 0.5));
      if (a <= 0) continue;
      // Shading: lighter toward the top-left, as from an overhead light.
      const shade = 0.8 + 0.3 * (1 - (y - oy) / Math.max(oh, 1)) * (hand ? 1 : 0.5);
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = Math.min(255, Math.max(0, 255 * (base[c] * shade * g + (0.5 - 0.5 * d.contrast) * d.gain)));
        rgb[o + c] = Math.round(rgb[o + c] * (1 - a) + v * a);
      }
    }
  }
}
