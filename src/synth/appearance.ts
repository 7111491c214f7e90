/**
 * Subject appearance (skin, lips, brows, eyes, optional short hair) as per-vertex albedo, and
 * per-frame lighting (Lambert + a little Blinn-Phong specular) into per-vertex colours.
 */
import { PART, type FaceKit } from "./facekit.ts";
import { Rng } from "./random.ts";

type RGB = [number, number, number];

/** A subject's look. Colours are display RGB 0..1. */
export interface AppearanceParams {
  skin: RGB;
  lips: RGB;
  brows: RGB;
  iris: RGB;
  hair: RGB;
  /** Height of the hairline above the brow landmarks, cm; Infinity = bald. */
  hairline: number;
  /** Skin noise amplitude (relative) and the seed of its pattern. */
  noiseAmp: number;
  noiseSeed: number;
  /** Cheek/nose redness strength 0..1. */
  blush: number;
  /** Brow paint strength 0..1 (thin/light brows to heavy). */
  browStrength: number;
  /** Darkening of the upper-lid margin (lashes), 0..1. */
  lashes: number;
}

const SKIN_TONES: RGB[] = [
  [0.96, 0.8, 0.7], [0.9, 0.72, 0.6], [0.87, 0.68, 0.58], [0.8, 0.6, 0.47], [0.72, 0.52, 0.38],
  [0.6, 0.42, 0.3], [0.48, 0.33, 0.23], [0.36, 0.24, 0.17], [0.93, 0.76, 0.62], [0.76, 0.58, 0.45],
];
const IRIS: RGB[] = [[0.33, 0.22, 0.13], [0.22, 0.14, 0.08], [0.3, 0.42, 0.55], [0.35, 0.45, 0.3], [0.45, 0.35, 0.2], [0.15, 0.1, 0.06]];
const HAIR: RGB[] = [[0.06, 0.05, 0.04], [0.16, 0.1, 0.06], [0.3, 0.2, 0.12], [0.55, 0.42, 0.25], [0.45, 0.2, 0.1], [0.1, 0.08, 0.07]];

/** Draws a subject's appearance from `rng`. */
export function sampleAppearance(rng: Rng): AppearanceParams {
  const base = rng.pick(SKIN_TONES);
  const j = () => rng.uniform(-0.04, 0.04);
  const skin: RGB = [clamp01(base[0] + j()), clamp01(base[1] + j()), clamp01(base[2] + j())];
  const lipDark = rng.uniform(0.62, 0.85);
  const hair = rng.pick(HAIR);
  return {
    skin,
    lips: [clamp01(skin[0] * lipDark + 0.05), skin[1] * lipDark * 0.7, skin[2] * lipDark * 0.76],
    // Brows: mostly dark whatever the hair, sometimes the hair colour (blond brows are faint, as in life).
    brows: rng.chance(0.3) ? [hair[0] * 1.1 + 0.04, hair[1] * 1.1 + 0.03, hair[2] * 1.1 + 0.02] : [skin[0] * 0.3, skin[1] * 0.24, skin[2] * 0.2],
    iris: rng.pick(IRIS),
    hair,
    hairline: rng.chance(0.7) ? rng.uniform(2.6, 4.4) : Infinity,
    noiseAmp: rng.uniform(0.03, 0.09),
    noiseSeed: rng.int(0, 0x7fffffff),
    blush: rng.uniform(0, 0.6),
    browStrength: rng.uniform(0.75, 1),
    lashes: rng.uniform(0.45, 0.8),
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** Cheap smooth 3D noise: a sum of random plane waves (no lattice, no look-up tables). */
function waveNoise(seed: number, octaves: number, baseFreq: number): (x: number, y: number, z: number) => number {
  const rng = Rng.of(seed, 77);
  const waves: number[][] = [];
  for (let o = 0; o < octaves; o++) {
    const f = baseFreq * 2 ** o;
    for (let k = 0; k < 3; k++) {
      const dx = rng.normal(), dy = rng.normal(), dz = rng.normal();
      const l = Math.hypot(dx, dy, dz) || 1;
      waves.push([(dx / l) * f, (dy / l) * f, (dz / l) * f, rng.uniform(0, 6.283), 1 / 2 ** o]);
    }
  }
  const norm = waves.reduce((s, w) => s + w[4] ** 2, 0) ** 0.5;
  return (x, y, z) => {
    let s = 0;
    for (const w of waves) s += w[4] * Math.sin(w[0] * x + w[1] * y + w[2] * z + w[3]);
    return s / norm;
  };
}

/** Per-vertex albedo [V*3] (0..1) of a subject, from its neutral mesh `rest` ([V*3] cm). */
export function buildAlbedo(kit: FaceKit, rest: Float32Array, a: AppearanceParams): Float32Array {
  const V = kit.numVertices;
  const out = new Float32Array(V * 3);
  const lm = (i: number) => kit.landmarks68[i] * 3;
  const browY = (rest[lm(19) + 1] + rest[lm(24) + 1]) / 2;
  const cheeks = [lm(3), lm(13), lm(30)].map((v, i) => {
    // Blush centres: between the jaw points and the nose tip, and the nose tip itself.
    const t = i === 2 ? 1 : 0.55;
    return [rest[v] * t + rest[lm(30)] * (1 - t), rest[v + 1] * t + rest[lm(30) + 1] * (1 - t), rest[v + 2] * t + rest[lm(30) + 2] * (1 - t)];
  });
  const coarse = waveNoise(a.noiseSeed, 3, 0.6);
  const fine = Rng.of(a.noiseSeed, 3);
  const c = kit.colours;
  const partColour: Record<number, RGB> = {
    [PART.mouthInterior]: c.mouth_interior,
    [PART.eyeSocket]: [a.skin[0] * 0.95, a.skin[1] * 0.7, a.skin[2] * 0.7],
    [PART.gumsTongue]: c.gums_tongue,
    [PART.teeth]: c.teeth,
    [PART.sclera]: c.sclera,
    [PART.iris]: a.iris,
  };
  // Upper-lid margins (iBUG 36-39 and 42-45): painted dark as lashes/liner so the eyes read at 256².
  const lids = [[36, 37, 38, 39], [42, 43, 44, 45]].flatMap((ids) =>
    ids.slice(1).map((id, i) => [lm(ids[i]), lm(id)].map((o) => [rest[o], rest[o + 1], rest[o + 2]])),
  );
  const lidDistance = (x: number, y: number, z: number): number => {
    let best = Infinity;
    for (const [a, b] of lids) {
      const ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2];
      const t = clamp01(((x - a[0]) * ux + (y - a[1]) * uy + (z - a[2]) * uz) / (ux * ux + uy * uy + uz * uz));
      best = Math.min(best, Math.hypot(x - a[0] - t * ux, y - a[1] - t * uy, z - a[2] - t * uz));
    }
    return best;
  };
  for (let v = 0; v < V; v++) {
    const part = kit.vertexPart[v];
    const x = rest[v * 3], y = rest[v * 3 + 1], z = rest[v * 3 + 2];
    let r: number, g: number, b: number;
    if (part === PART.skin) {
      const n = 1 + a.noiseAmp * (coarse(x, y, z) + 0.5 * fine.normal());
      [r, g, b] = a.skin;
      let blush = 0;
      for (const ch of cheeks) blush += Math.exp(-((x - ch[0]) ** 2 + (y - ch[1]) ** 2 + (z - ch[2]) ** 2) / 4.5);
      blush = Math.min(1, blush) * a.blush;
      r = r * (1 - 0.1 * blush) + 0.1 * blush * 0.85;
      g *= 1 - 0.18 * blush;
      b *= 1 - 0.15 * blush;
      const lips = kit.paintLips[v] / 255;
      const brows = (kit.paintBrows[v] / 255) * a.browStrength;
      r += (a.lips[0] - r) * lips; g += (a.lips[1] - g) * lips; b += (a.lips[2] - b) * lips;
      // Brows get their own fine noise so they read as hair, not paint.
      const bn = brows * (0.75 + 0.25 * fine.next());
      r += (a.brows[0] - r) * bn; g += (a.brows[1] - g) * bn; b += (a.brows[2] - b) * bn;
      if (Number.isFinite(a.hairline)) {
        // The hairline drops toward the temples and sides (x is the left-right distance, cm).
        const edge = browY + a.hairline - 2.2 * Math.min(1, (x / 7) ** 2) + 0.4 * coarse(x * 2, y, z * 2);
        const h = clamp01((y - edge) / 0.8);
        if (h > 0) {
          const hn = h * (0.85 + 0.15 * fine.next());
          r += (a.hair[0] - r) * hn; g += (a.hair[1] - g) * hn; b += (a.hair[2] - b) * hn;
        }
      }
      r *= n; g *= n; b *= n;
    } else {
      [r, g, b] = partColour[part] ?? [0, 0, 0];
      if (part === PART.iris) {
        const k = 0.8 + 0.4 * fine.next();
        r *= k; g *= k; b *= k;
      }
    }
    if (part === PART.skin || part === PART.eyeSocket) {
      const lash = a.lashes * clamp01(1 - lidDistance(x, y, z) / 0.22);
      r *= 1 - lash; g *= 1 - lash; b *= 1 - lash;
    }
    out[v * 3] = r; out[v * 3 + 1] = g; out[v * 3 + 2] = b;
  }
  return out;
}

/** One frame's lights: a key light (view-space unit direction toward the light) plus ambient. */
export interface Lighting {
  dir: [number, number, number];
  colour: RGB;
  ambient: RGB;
  specular: number;
  shininess: number;
}

/** Draws lighting: key light within ~60° of the camera axis, warm to cool tint. */
export function sampleLighting(rng: Rng): Lighting {
  const theta = rng.uniform(0, 1.05), phi = rng.uniform(0, 2 * Math.PI);
  const dir: [number, number, number] = [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi) * 0.8 + 0.15, Math.cos(theta)];
  const l = Math.hypot(...dir);
  const tint = rng.uniform(-0.12, 0.12);
  const k = rng.uniform(0.6, 0.95);
  const amb = rng.uniform(0.18, 0.38);
  return {
    dir: [dir[0] / l, dir[1] / l, dir[2] / l],
    colour: [k * (1 + tint), k, k * (1 - tint)],
    ambient: [amb * (1 + rng.uniform(-0.1, 0.1)), amb, amb * (1 + rng.uniform(-0.1, 0.1))],
    specular: rng.uniform(0.04, 0.16),
    shininess: rng.uniform(12, 40),
  };
}

/**
 * Per-vertex lit colour [V*3]: albedo·(ambient + key·max(0, n·l)) + specular·(n·h)^shininess.
 * `normals` are model-space; `R` (row-major 3x3) rotates them into view space (camera at +z).
 * The mouth cavity gets less light the deeper it is (a cheap stand-in for occlusion).
 */
export function shadeVertices(kit: FaceKit, albedo: Float32Array, normals: Float32Array, R: Float64Array, light: Lighting, out: Float32Array): Float32Array {
  const [lx, ly, lz] = light.dir;
  let hx = lx, hy = ly, hz = lz + 1;
  const hl = Math.hypot(hx, hy, hz);
  hx /= hl; hy /= hl; hz /= hl;
  const V = kit.numVertices;
  for (let v = 0; v < V; v++) {
    const mx = normals[v * 3], my = normals[v * 3 + 1], mz = normals[v * 3 + 2];
    const nx = R[0] * mx + R[1] * my + R[2] * mz;
    const ny = R[3] * mx + R[4] * my + R[5] * mz;
    const nz = R[6] * mx + R[7] * my + R[8] * mz;
    const part = kit.vertexPart[v];
    const occl = part === PART.mouthInterior || part === PART.gumsTongue ? 0.45 : part === PART.teeth ? 0.8 : 1;
    const d = Math.max(0, nx * lx + ny * ly + nz * lz) * occl;
    const sDot = nx * hx + ny * hy + nz * hz;
    // (n·h)^shininess is negligible below 0.7 for shininess >= 12; skip the pow there.
    const spec = sDot < 0.7 ? 0 : light.specular * occl * (part === PART.sclera || part === PART.iris ? 3 : 1) * Math.exp(light.shininess * Math.log(sDot));
    for (let c = 0; c < 3; c++) out[v * 3 + c] = albedo[v * 3 + c] * (light.ambient[c] * occl + light.colour[c] * d) + spec * light.colour[c];
  }
  return out;
}
