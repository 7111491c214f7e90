/**
 * Camera and compression artefacts: sensor noise and 8-bit quantisation here; Gaussian blur and
 * JPEG artefacts in the encoder (encode.ts), at per-frame settings.
 */
import { Rng } from "./random.ts";

/** Per-frame degradation settings. */
export interface DegradeParams {
  /** Gaussian blur sigma, pixels (0 = none). */
  blur: number;
  /** Additive Gaussian noise sigma, 0..255 units. */
  noise: number;
  /** JPEG quality 1..100 (BP4D-style: the output's quality; DISFA-style: a round trip before PNG, 100 = none). */
  jpegQuality: number;
  /** Global brightness gain and contrast around mid-grey. */
  gain: number;
  contrast: number;
}

/** Draws degradation settings. */
export function sampleDegrade(rng: Rng): DegradeParams {
  return {
    blur: rng.chance(0.85) ? rng.uniform(0.35, 1.4) : rng.uniform(1.4, 2.2),
    noise: rng.chance(0.7) ? rng.uniform(0.5, 5) : rng.uniform(5, 10),
    jpegQuality: rng.int(45, 95),
    gain: rng.uniform(0.85, 1.15),
    contrast: rng.uniform(0.85, 1.15),
  };
}

/** 64k standard-normal samples drawn once; per-pixel noise indexes them with a fast integer hash. */
const NORMALS = (() => {
  const rng = new Rng(0x5eed);
  return Float32Array.from({ length: 65536 }, () => rng.normal());
})();

/**
 * Gain/contrast, sensor noise and quantisation: RGB float 0..1 -> RGB uint8 [n*3]. The blur runs
 * later, in the encoder (libvips is several times faster than a JS convolution).
 */
export function degradeToBytes(rgb: Float32Array, p: DegradeParams, rng: Rng): Uint8Array {
  const out = new Uint8Array(rgb.length);
  const a = p.contrast * p.gain * 255, b = (0.5 - 0.5 * p.contrast) * p.gain * 255;
  let x = (Math.floor(rng.next() * 4294967296) | 1) >>> 0;
  for (let i = 0; i < rgb.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const v = rgb[i] * a + b + p.noise * NORMALS[x & 0xffff];
    out[i] = v < 0 ? 0 : v > 255 ? 255 : (v + 0.5) | 0;
  }
  return out;
}
