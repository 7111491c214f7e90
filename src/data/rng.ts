/**
 * Deterministic random numbers for data order and augmentation. A stream is keyed by integers
 * (seed, epoch, sample index, view): its numbers depend on the key only, never on which worker
 * draws them or when, so batches are identical for any worker count or prefetch depth.
 * Generator: xoshiro128** (Blackman & Vigna), seeded from the key through splitmix32 mixing.
 */

/** splitmix32-style finaliser: a well-mixed uint32 from a uint32. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97) >>> 0;
  return (x ^ (x >>> 15)) >>> 0;
}

/** Hashes a key of integers (each taken mod 2^32) to a uint32. */
export function hashKey(...key: number[]): number {
  let h = 0x6a09e667;
  for (const k of key) h = mix32((h ^ mix32(k >>> 0)) >>> 0);
  return h;
}

/** A seeded xoshiro128** stream. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A stream for the integer key (e.g. `new Rng(seed, epoch, index, view)`). */
  constructor(...key: number[]) {
    let h = hashKey(...key);
    const next = () => (h = mix32(h));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1; // never all zero
  }

  /** Next uint32. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3 >>> 0, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return r;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi) (hi exclusive, as torch.randint). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
