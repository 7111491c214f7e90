/**
 * The AU label model: smooth, correlated occurrence/intensity tracks per video, with BP4D-like or
 * DISFA-like base rates, plus label noise. No rendering here, so statistics are cheap to test.
 *
 * Each AU k has a latent z_k(t) ~ N(0, 1) at every frame, made of a subject part, a sequence part
 * and a smooth temporal part; the temporal part shares factors between AUs (smile: 6/12/10/14,
 * brows: 1/2, jaw: 25/26, ...), which gives the co-occurrences. The AU is present when
 * z_k > Φ⁻¹(1 − rate_k), so its expected occurrence rate is exactly rate_k. Its continuous
 * intensity is level + gain·(z − threshold) clamped to [0, 5], where level is the dataset's
 * "present" intensity (1 for BP4D occurrence, 2 for DISFA), so intensities rise through onset to an
 * apex and fall through offset as z moves, and the occurrence rule on written intensities agrees.
 */
import { normalQuantile, Rng } from "./random.ts";

/** Dataset style of the output. */
export type DatasetStyle = "bp4d" | "disfa";

/** The 12 BP4D AUs of the protocol (spec §1). */
export const BP4D_AUS: readonly number[] = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];
/** The 8 DISFA AUs of the protocol (spec §1). */
export const DISFA_AUS: readonly number[] = [1, 2, 4, 6, 9, 12, 25, 26];
/** The 12 AUs DISFA codes (one label file each). */
export const DISFA_CODED_AUS: readonly number[] = [1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26];
/**
 * Columns of SynthAU's BP4D-style AU_OCC files after the frame column. BP4D's FACS coding covers
 * more AUs than the 12 of the protocol; parsers must pick columns by header, never by position.
 * AUs without a facekit shape (11, 13, 19) are written as 0 (never rendered).
 */
export const BP4D_CODED_AUS: readonly number[] = [1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 27, 28];

/** Approximate published occurrence rates: BP4D (intensity ≥ A) and DISFA (intensity ≥ 2). */
export const DEFAULT_RATES: Readonly<Record<DatasetStyle, Readonly<Record<number, number>>>> = {
  bp4d: {
    1: 0.21, 2: 0.17, 4: 0.2, 6: 0.46, 7: 0.55, 10: 0.59, 12: 0.56, 14: 0.47, 15: 0.17, 17: 0.34, 23: 0.17, 24: 0.15,
    // Coded but outside the protocol: rare, and rendered so the extra columns are truthful.
    5: 0.05, 9: 0.05, 16: 0.04, 18: 0.03, 20: 0.05, 22: 0.03, 27: 0.02, 28: 0.03,
    // Not coded in our BP4D-style files: rendered as unlabelled nuisance (mouth opening).
    25: 0.18, 26: 0.08,
  },
  disfa: {
    1: 0.07, 2: 0.06, 4: 0.19, 6: 0.15, 9: 0.05, 12: 0.23, 25: 0.36, 26: 0.19,
    5: 0.02, 15: 0.05, 17: 0.08, 20: 0.04,
    // Not coded by DISFA: unlabelled nuisance.
    7: 0.12, 10: 0.1, 14: 0.1, 23: 0.04, 24: 0.04,
  },
};

/**
 * Temporal factor loadings (shared smooth processes). Loading² sums stay ≤ 0.7 per AU so each
 * AU keeps its own variation. Chosen to echo common co-occurrences (Duchenne smile 6+12, brow
 * raise 1+2, jaw drop 25+26, frown 4+7(+9), chin/press 17+24+23(+15)).
 */
const FACTORS: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  smile: { 6: 0.75, 12: 0.8, 10: 0.55, 14: 0.45, 7: 0.4, 25: 0.3 },
  brows: { 1: 0.8, 2: 0.8, 5: 0.35 },
  frown: { 4: 0.7, 7: 0.4, 9: 0.45 },
  jaw: { 25: 0.6, 26: 0.75, 27: 0.4, 16: 0.3 },
  press: { 17: 0.55, 24: 0.6, 23: 0.55, 15: 0.45, 28: 0.3 },
};

/** Options of the label model. */
export interface LabelOptions {
  style: DatasetStyle;
  /** Occurrence rate per AU (overrides DEFAULT_RATES[style] for the AUs given). */
  rates?: Record<number, number>;
  /** Smoothness: standard deviation (frames) of the Gaussian that smooths the temporal latents. */
  eventFrames?: number;
  /** Intensity units per latent standard deviation above the threshold. */
  gain?: number;
  /** Variance shares of the subject and sequence parts of each latent (rest: temporal). */
  subjectVariance?: number;
  sequenceVariance?: number;
  /** Label noise: each clean positive is dropped with `missRate`, then every label flips with `flipRate`. */
  flipRate?: number;
  missRate?: number;
  /** BP4D-style only: probability that a label cell is written as 9 ("not coded"). */
  notCodedRate?: number;
}

/** Defaults of LabelOptions, in one place. */
export const LABEL_DEFAULTS = {
  eventFrames: 6,
  gain: 2.2,
  subjectVariance: 0.12,
  sequenceVariance: 0.15,
  flipRate: 0,
  missRate: 0,
  notCodedRate: 0.002,
} as const;

/** Fully resolved options. */
export type ResolvedLabelOptions = Required<LabelOptions> & { rates: Record<number, number> };

/** Fills defaults and validates (throws RangeError naming the option). */
export function resolveLabelOptions(o: LabelOptions): ResolvedLabelOptions {
  const rates: Record<number, number> = { ...DEFAULT_RATES[o.style] };
  for (const [au, r] of Object.entries(o.rates ?? {})) {
    if (!(r >= 0 && r <= 1)) throw new RangeError(`rates: AU${au} rate must be in [0, 1], got ${r}`);
    if (!(Number(au) in rates)) throw new RangeError(`rates: AU${au} is not modelled for style ${o.style} (modelled: ${Object.keys(rates).join(", ")})`);
    rates[Number(au)] = r;
  }
  const r: ResolvedLabelOptions = { ...LABEL_DEFAULTS, ...stripUndefined(o), rates } as ResolvedLabelOptions;
  for (const k of ["flipRate", "missRate", "notCodedRate"] as const) {
    if (!(r[k] >= 0 && r[k] <= 1)) throw new RangeError(`${k} must be in [0, 1], got ${r[k]}`);
  }
  if (!(r.eventFrames > 0)) throw new RangeError(`eventFrames must be > 0, got ${r.eventFrames}`);
  if (!(r.subjectVariance >= 0 && r.sequenceVariance >= 0 && r.subjectVariance + r.sequenceVariance < 1)) {
    throw new RangeError(`subjectVariance + sequenceVariance must be in [0, 1), got ${r.subjectVariance} + ${r.sequenceVariance}`);
  }
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The intensity at which an AU counts as present: BP4D occurrence = A (1), DISFA = 2. */
export function presentLevel(style: DatasetStyle): number {
  return style === "disfa" ? 2 : 1;
}

/** Unit-variance Gaussian-smoothed white noise of length n (sigma in frames). */
export function smoothNoise(rng: Rng, n: number, sigma: number): Float64Array {
  const rad = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * rad + 1);
  let ss = 0;
  for (let i = -rad; i <= rad; i++) {
    k[i + rad] = Math.exp(-(i * i) / (2 * sigma * sigma));
    ss += k[i + rad] ** 2;
  }
  const norm = 1 / Math.sqrt(ss); // makes the output's variance exactly 1
  const white = Float64Array.from({ length: n + 2 * rad }, () => rng.normal());
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let i = 0; i < k.length; i++) s += k[i] * white[t + i];
    out[t] = s * norm;
  }
  return out;
}

/** Random-stream purposes (second element of every key path), so streams never overlap. */
export const STREAM = { subjectLatent: 1, sequenceLatent: 2, factor: 3, own: 4, noise: 5, side: 6 } as const;

/** Clean and noisy labels of one sequence. */
export interface SequenceLabels {
  /** The AUs modelled (rendered) for this style, ascending. */
  aus: number[];
  frames: number;
  /** [au] -> continuous rendered intensity per frame, 0..5 (float32). */
  intensity: Map<number, Float32Array>;
  /** [au] -> integer FACS-like level 0..5 per frame. */
  level: Map<number, Uint8Array>;
  /** [au] -> clean occurrence 0/1 (level >= presentLevel). */
  clean: Map<number, Uint8Array>;
  /** [au] -> noisy occurrence as written: 0/1, or 9 = not coded (BP4D style). */
  noisy: Map<number, Uint8Array>;
  /** [au] -> [left, right] side factors for rendering (unilateral variation). */
  sides: Map<number, [number, number]>;
}

/**
 * Generates one sequence's labels. Deterministic in (seed, subject, sequence); `frames` frames.
 */
export function generateSequenceLabels(opts: ResolvedLabelOptions, seed: number, subject: number, sequence: number, frames: number): SequenceLabels {
  const aus = Object.keys(opts.rates).map(Number).sort((a, b) => a - b);
  const level0 = presentLevel(opts.style);
  const factorTracks = new Map<string, Float64Array>();
  Object.keys(FACTORS).forEach((name, gi) => factorTracks.set(name, smoothNoise(Rng.of(seed, STREAM.factor, subject, sequence, gi), frames, opts.eventFrames)));
  const vs = opts.subjectVariance, vq = opts.sequenceVariance, vt = 1 - vs - vq;
  const out: SequenceLabels = { aus, frames, intensity: new Map(), level: new Map(), clean: new Map(), noisy: new Map(), sides: new Map() };
  for (const au of aus) {
    const rate = opts.rates[au];
    const thr = normalQuantile(1 - rate);
    const subj = Rng.of(seed, STREAM.subjectLatent, subject, au).normal();
    const seq = Rng.of(seed, STREAM.sequenceLatent, subject, sequence, au).normal();
    const own = smoothNoise(Rng.of(seed, STREAM.own, subject, sequence, au), frames, opts.eventFrames);
    const loads: [Float64Array, number][] = [];
    let l2 = 0;
    for (const [name, table] of Object.entries(FACTORS)) {
      if (table[au] !== undefined) {
        loads.push([factorTracks.get(name)!, table[au]]);
        l2 += table[au] ** 2;
      }
    }
    const ownW = Math.sqrt(Math.max(0, 1 - l2));
    const inten = new Float32Array(frames), level = new Uint8Array(frames), clean = new Uint8Array(frames);
    for (let t = 0; t < frames; t++) {
      let temporal = ownW * own[t];
      for (const [track, w] of loads) temporal += w * track[t];
      const z = Math.sqrt(vs) * subj + Math.sqrt(vq) * seq + Math.sqrt(vt) * temporal;
      const c = Math.min(5, Math.max(0, level0 + opts.gain * (z - thr)));
      inten[t] = rate <= 0 ? 0 : rate >= 1 ? Math.max(c, level0) : c;
      const present = rate >= 1 || (rate > 0 && z >= thr);
      clean[t] = present ? 1 : 0;
      // Integer level consistent with the occurrence rule even at the clamps.
      const f = Math.floor(inten[t]);
      level[t] = present ? Math.max(level0, Math.min(5, f)) : Math.min(level0 - 1, Math.max(0, f));
    }
    const side = Rng.of(seed, STREAM.side, subject, sequence, au);
    // One sequence in five shows this AU asymmetrically (one side weaker).
    const weak = side.chance(0.2) ? side.uniform(0.4, 0.9) : 1;
    out.sides.set(au, side.chance(0.5) ? [weak, 1] : [1, weak]);
    out.intensity.set(au, inten);
    out.level.set(au, level);
    out.clean.set(au, clean);
    out.noisy.set(au, applyNoise(clean, opts, Rng.of(seed, STREAM.noise, subject, sequence, au)));
  }
  return out;
}

/** Noisy copy of clean 0/1 labels: drop positives (missRate), flip all (flipRate), 9 (notCodedRate, BP4D only). */
export function applyNoise(clean: Uint8Array, opts: ResolvedLabelOptions, rng: Rng): Uint8Array {
  const out = new Uint8Array(clean.length);
  const nc = opts.style === "bp4d" ? opts.notCodedRate : 0;
  for (let t = 0; t < clean.length; t++) {
    let v = clean[t];
    if (v === 1 && rng.next() < opts.missRate) v = 0;
    if (rng.next() < opts.flipRate) v = 1 - v;
    if (rng.next() < nc) v = 9;
    out[t] = v;
  }
  return out;
}
