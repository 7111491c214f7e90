/**
 * A small AU model on landmark-geometry features (au-geometry.ts), in plain TypeScript so that the
 * Node pipeline and the browser run the same code: standardise the features, then a logistic
 * regression per AU (no hidden layer) or a one-hidden-layer ReLU MLP, sigmoid outputs. Optionally
 * averaged with the model on the mirrored face's features (mirror-consistent by construction).
 *
 * Training (trainGeometryModel) is full-precision minibatch Adam on the per-AU class-balanced binary
 * cross-entropy (positives weighted n / (2 n_pos), negatives n / (2 n_neg) per AU, so each AU's two
 * classes weigh the same), seeded: the same data, options and seed give the same weights.
 */
import { GEOMETRY_FEATURE_COUNT, GEOMETRY_FEATURES_VERSION, mirrorGeometryFeatures } from "./au-geometry.ts";

/** One dense layer: weight [out, in] row-major. */
export interface GeometryLayer { in: number; out: number; weight: number[]; bias: number[] }

/** The weights file (JSON) of a geometry AU model. */
export interface GeometryModelFile {
  format: "aunce-geometry-au";
  version: 1;
  /** GEOMETRY_FEATURES_VERSION the model was trained on. */
  features: string;
  /** The alignment template version the features were computed in. */
  template: string;
  aus: number[];
  /** Per-feature standardisation (x - mean) / std. */
  mean: number[];
  std: number[];
  /** One layer: logistic regression; two: hidden ReLU layer then output. */
  layers: GeometryLayer[];
  /** Average the output with the model on the mirrored features. */
  mirrorAverage: boolean;
  /**
   * How to fuse with an image model's probabilities (fuseGeometry): per AU of `aus`, logistic
   * stacking p = sigmoid(bias + image * logit(p_image) + geometry * logit(p_geometry)), fitted on
   * training subjects (fitFusionStacking). Absent: the mean of the two probabilities.
   */
  fusion?: GeometryFusion;
  /** Free-form provenance (data, recipe, measures). */
  meta?: Record<string, unknown>;
}

/** Per-AU stacking weights (GeometryModelFile.fusion), one entry per AU of the model. */
export interface GeometryFusion { kind: "stack"; bias: number[]; image: number[]; geometry: number[] }

const fail = (msg: string): never => { throw new Error(`geometry AU model: ${msg}`); };
const isNumArray = (x: unknown, n: number) => Array.isArray(x) && x.length === n && x.every((v) => typeof v === "number" && Number.isFinite(v));

/** Checks a parsed weights file; throws a clear error naming what is wrong. */
export function validateGeometryModel(m: unknown): GeometryModelFile {
  if (!m || typeof m !== "object") fail("not an object");
  const g = m as GeometryModelFile;
  if (g.format !== "aunce-geometry-au") fail(`format must be "aunce-geometry-au", got ${JSON.stringify(g.format)}`);
  if (g.version !== 1) fail(`unsupported version ${JSON.stringify(g.version)}`);
  if (g.features !== GEOMETRY_FEATURES_VERSION) fail(`trained on features ${JSON.stringify(g.features)}, this code computes ${GEOMETRY_FEATURES_VERSION}`);
  if (typeof g.template !== "string" || !g.template) fail("template must name the alignment template version, e.g. \"aunce-align-v1\"");
  if (!Array.isArray(g.aus) || !g.aus.length || !g.aus.every((a) => Number.isInteger(a) && a > 0)) fail("aus must be a non-empty list of AU numbers");
  if (!isNumArray(g.mean, GEOMETRY_FEATURE_COUNT) || !isNumArray(g.std, GEOMETRY_FEATURE_COUNT)) fail(`mean and std must hold ${GEOMETRY_FEATURE_COUNT} finite numbers`);
  if (!g.std.every((s) => s > 0)) fail("std values must be > 0");
  if (!Array.isArray(g.layers) || g.layers.length < 1 || g.layers.length > 2) fail("layers must hold 1 (logistic) or 2 (MLP) layers");
  let width = GEOMETRY_FEATURE_COUNT;
  g.layers.forEach((l, i) => {
    if (l.in !== width) fail(`layer ${i} takes ${l.in} inputs, expected ${width}`);
    if (!Number.isInteger(l.out) || l.out < 1) fail(`layer ${i} out must be a positive integer`);
    if (!isNumArray(l.weight, l.in * l.out) || !isNumArray(l.bias, l.out)) fail(`layer ${i} must hold ${l.in * l.out} weights and ${l.out} biases`);
    width = l.out;
  });
  if (width !== g.aus.length) fail(`the last layer outputs ${width} values for ${g.aus.length} AUs`);
  if (typeof g.mirrorAverage !== "boolean") fail("mirrorAverage must be true or false");
  if (g.fusion !== undefined) {
    const f = g.fusion;
    if (!f || f.kind !== "stack" || !isNumArray(f.bias, g.aus.length) || !isNumArray(f.image, g.aus.length) || !isNumArray(f.geometry, g.aus.length)) {
      fail(`fusion must be { kind: "stack", bias, image, geometry } with ${g.aus.length} numbers each`);
    }
  }
  return g;
}

/** Logits of one standardised feature vector. */
function logits(m: GeometryModelFile, x: Float64Array): Float64Array {
  let h: Float64Array = x;
  m.layers.forEach((l, li) => {
    const o = new Float64Array(l.out);
    for (let j = 0; j < l.out; j++) {
      let s = l.bias[j];
      const row = j * l.in;
      for (let i = 0; i < l.in; i++) s += l.weight[row + i] * h[i];
      o[j] = li < m.layers.length - 1 && s < 0 ? 0 : s;
    }
    h = o;
  });
  return h;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** AU probabilities (m.aus order) for one face's geometry features. */
export function predictGeometry(m: GeometryModelFile, features: ArrayLike<number>): Float32Array {
  if (features.length !== GEOMETRY_FEATURE_COUNT) throw new RangeError(`predictGeometry: expected ${GEOMETRY_FEATURE_COUNT} features, got ${features.length}`);
  const std = (f: ArrayLike<number>) => Float64Array.from({ length: f.length }, (_, i) => (f[i] - m.mean[i]) / m.std[i]);
  const a = logits(m, std(features));
  const out = new Float32Array(m.aus.length);
  if (!m.mirrorAverage) { for (let k = 0; k < out.length; k++) out[k] = sigmoid(a[k]); return out; }
  const b = logits(m, std(mirrorGeometryFeatures(features)));
  for (let k = 0; k < out.length; k++) out[k] = (sigmoid(a[k]) + sigmoid(b[k])) / 2;
  return out;
}

/**
 * Late fusion: per AU of `aus`, the mean of the image model's probability and the geometry
 * model's where the geometry model has that AU (weight `geometryWeight`, default 0.5); the image
 * probability alone where it does not.
 */
export function fuseProbabilities(aus: readonly number[], image: ArrayLike<number>, geometryAus: readonly number[], geometry: ArrayLike<number>, geometryWeight = 0.5): Float32Array {
  if (image.length !== aus.length) throw new RangeError(`fuseProbabilities: ${image.length} image probabilities for ${aus.length} AUs`);
  if (geometry.length !== geometryAus.length) throw new RangeError(`fuseProbabilities: ${geometry.length} geometry probabilities for ${geometryAus.length} AUs`);
  if (!(geometryWeight >= 0 && geometryWeight <= 1)) throw new RangeError(`fuseProbabilities: geometryWeight must be in [0, 1], got ${geometryWeight}`);
  const out = Float32Array.from(image);
  aus.forEach((au, k) => {
    const j = geometryAus.indexOf(au);
    if (j >= 0) out[k] = (1 - geometryWeight) * image[k] + geometryWeight * geometry[j];
  });
  return out;
}

const logit = (p: number) => { const q = Math.min(1 - 1e-6, Math.max(1e-6, p)); return Math.log(q / (1 - q)); };

/**
 * The model's fusion with an image model: per AU of `aus` (the image model's order), the model's
 * `fusion` (stacking) or the mean of the two probabilities where the geometry model has the AU;
 * the image probability alone where it does not.
 */
export function fuseGeometry(m: GeometryModelFile, aus: readonly number[], image: ArrayLike<number>, geometry: ArrayLike<number>): Float32Array {
  if (!m.fusion) return fuseProbabilities(aus, image, m.aus, geometry);
  if (image.length !== aus.length || geometry.length !== m.aus.length) throw new RangeError(`fuseGeometry: ${image.length} image probabilities for ${aus.length} AUs, ${geometry.length} geometry ones for ${m.aus.length}`);
  const f = m.fusion;
  const out = Float32Array.from(image);
  aus.forEach((au, k) => {
    const j = m.aus.indexOf(au);
    if (j >= 0) out[k] = sigmoid(f.bias[j] + f.image[j] * logit(image[k]) + f.geometry[j] * logit(geometry[j]));
  });
  return out;
}

/**
 * Fits per-AU logistic stacking (GeometryFusion) on [logit p_image, logit p_geometry], both
 * [n, aus] in `aus` order, labels as trainGeometryModel's, class-balanced; deterministic full-batch
 * gradient descent from (0, 0.5, 0.5), i.e. from the mean in logit space.
 */
export function fitFusionStacking(image: ArrayLike<number>, geometry: ArrayLike<number>, labels: ArrayLike<number>, numAus: number, iterations = 300, lr = 0.5): GeometryFusion {
  const K = numAus, n = labels.length / K;
  if (!Number.isInteger(n) || image.length !== labels.length || geometry.length !== labels.length) throw new RangeError(`fitFusionStacking: image, geometry and labels must all be [n, ${K}]`);
  const fusion: GeometryFusion = { kind: "stack", bias: [], image: [], geometry: [] };
  for (let k = 0; k < K; k++) {
    let pos = 0, neg = 0;
    for (let i = 0; i < n; i++) { if (labels[i * K + k] === 1) pos++; else if (labels[i * K + k] === 0) neg++; }
    let w0 = 0, w1 = 0.5, w2 = 0.5;
    if (pos && neg) {
      const wp = (pos + neg) / (2 * pos), wn = (pos + neg) / (2 * neg);
      const a = Float64Array.from({ length: n }, (_, i) => logit(image[i * K + k])), b = Float64Array.from({ length: n }, (_, i) => logit(geometry[i * K + k]));
      for (let it = 0; it < iterations; it++) {
        let g0 = 0, g1 = 0, g2 = 0;
        for (let i = 0; i < n; i++) {
          const y = labels[i * K + k];
          if (y !== 0 && y !== 1) continue;
          const e = ((y ? wp : wn) * (sigmoid(w0 + w1 * a[i] + w2 * b[i]) - y)) / (pos + neg);
          g0 += e; g1 += e * a[i]; g2 += e * b[i];
        }
        w0 -= lr * g0; w1 -= lr * g1; w2 -= lr * g2;
      }
    }
    fusion.bias.push(w0); fusion.image.push(w1); fusion.geometry.push(w2);
  }
  return fusion;
}

/** Settings of trainGeometryModel. */
export interface GeometryTrainOptions {
  /** Hidden units; 0 = logistic regression per AU. Default 0. */
  hidden?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** L2 penalty on weights (not biases), added to the mean loss. */
  weightDecay?: number;
  seed?: number;
  /** Add every sample's mirror image (mirrorGeometryFeatures) to the training set; also sets mirrorAverage. Default true. */
  mirror?: boolean;
  meta?: Record<string, unknown>;
}

/** mulberry32: a small seeded PRNG giving floats in [0, 1). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trains a geometry AU model. `features` [n, GEOMETRY_FEATURE_COUNT] row-major, `labels` [n, aus]
 * with 1 present, 0 absent, anything else not coded (left out of that AU's loss).
 */
export function trainGeometryModel(features: ArrayLike<number>, labels: ArrayLike<number>, aus: readonly number[], opts: GeometryTrainOptions = {}, template = "aunce-align-v1"): GeometryModelFile {
  const d = GEOMETRY_FEATURE_COUNT, K = aus.length;
  const hidden = opts.hidden ?? 0, epochs = opts.epochs ?? 30, batch = opts.batchSize ?? 128, lr = opts.lr ?? 3e-3, wd = opts.weightDecay ?? 1e-4, seed = opts.seed ?? 1, mirror = opts.mirror ?? true;
  if (features.length % d !== 0) throw new RangeError(`trainGeometryModel: features length ${features.length} is not a multiple of ${d}`);
  const n0 = features.length / d;
  if (labels.length !== n0 * K) throw new RangeError(`trainGeometryModel: labels must be [${n0}, ${K}], got ${labels.length} values`);
  if (n0 < 2) throw new RangeError("trainGeometryModel: need at least 2 samples");
  if (!(Number.isInteger(hidden) && hidden >= 0) || !(Number.isInteger(epochs) && epochs >= 1) || !(Number.isInteger(batch) && batch >= 1) || !(lr > 0) || !(wd >= 0)) {
    throw new RangeError(`trainGeometryModel: bad options ${JSON.stringify({ hidden, epochs, batchSize: batch, lr, weightDecay: wd })}`);
  }
  // The training set, with mirrored copies.
  const n = mirror ? 2 * n0 : n0;
  const X = new Float64Array(n * d), Y = new Float64Array(n * K);
  for (let s = 0; s < n0; s++) {
    const f = Array.prototype.slice.call(features, s * d, (s + 1) * d) as number[];
    X.set(f, s * d);
    if (mirror) X.set(mirrorGeometryFeatures(f), (n0 + s) * d);
    for (let k = 0; k < K; k++) {
      const y = labels[s * K + k];
      const v = y === 1 ? 1 : y === 0 ? 0 : -1;
      Y[s * K + k] = v;
      if (mirror) Y[(n0 + s) * K + k] = v;
    }
  }
  const mean = new Float64Array(d), std = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) mean[i] += X[s * d + i] / n;
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) std[i] += (X[s * d + i] - mean[i]) ** 2 / n;
  for (let i = 0; i < d; i++) std[i] = Math.sqrt(std[i]) || 1;
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) X[s * d + i] = (X[s * d + i] - mean[i]) / std[i];
  // Class weights per AU.
  const wPos = new Float64Array(K), wNeg = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let pos = 0, neg = 0;
    for (let s = 0; s < n; s++) { if (Y[s * K + k] === 1) pos++; else if (Y[s * K + k] === 0) neg++; }
    wPos[k] = pos ? (pos + neg) / (2 * pos) : 0;
    wNeg[k] = neg ? (pos + neg) / (2 * neg) : 0;
  }
  // Parameters, Xavier-uniform with the seed.
  const rand = rng(seed);
  const sizes = hidden ? [[d, hidden], [hidden, K]] : [[d, K]];
  const W = sizes.map(([i, o]) => { const a = Math.sqrt(6 / (i + o)); return Float64Array.from({ length: i * o }, () => (2 * rand() - 1) * a); });
  const B = sizes.map(([, o]) => new Float64Array(o));
  const params = [...W, ...B];
  const m1 = params.map((p) => new Float64Array(p.length)), m2 = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  let step = 0;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const H = new Float64Array(hidden), dH = new Float64Array(hidden), Z = new Float64Array(K), dZ = new Float64Array(K);
  for (let ep = 0; ep < epochs; ep++) {
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); const t = order[i]; order[i] = order[j]; order[j] = t; }
    for (let b0 = 0; b0 < n; b0 += batch) {
      const b1 = Math.min(n, b0 + batch), bn = b1 - b0;
      for (const g of grads) g.fill(0);
      for (let q = b0; q < b1; q++) {
        const s = order[q], xo = s * d;
        // forward
        const inp = hidden ? H : null;
        if (hidden) {
          const w = W[0], bb = B[0];
          for (let j = 0; j < hidden; j++) { let z = bb[j]; const r = j * d; for (let i = 0; i < d; i++) z += w[r + i] * X[xo + i]; H[j] = z > 0 ? z : 0; }
        }
        const wo = W[W.length - 1], bo = B[B.length - 1], win = hidden || d;
        for (let k = 0; k < K; k++) { let z = bo[k]; const r = k * win; for (let i = 0; i < win; i++) z += wo[r + i] * (inp ? inp[i] : X[xo + i]); Z[k] = z; }
        // d(weighted BCE)/dz = w (sigmoid(z) - y)
        for (let k = 0; k < K; k++) {
          const y = Y[s * K + k];
          dZ[k] = y < 0 ? 0 : (y === 1 ? wPos[k] : wNeg[k]) * (sigmoid(Z[k]) - y) / (bn * K);
        }
        const gwo = grads[W.length - 1], gbo = grads[params.length - 1];
        if (hidden) dH.fill(0);
        for (let k = 0; k < K; k++) {
          const g = dZ[k];
          if (g === 0) continue;
          gbo[k] += g;
          const r = k * win;
          for (let i = 0; i < win; i++) {
            gwo[r + i] += g * (inp ? inp[i] : X[xo + i]);
            if (hidden) dH[i] += g * wo[r + i];
          }
        }
        if (hidden) {
          const gw = grads[0], gb = grads[W.length];
          for (let j = 0; j < hidden; j++) {
            if (H[j] <= 0 || dH[j] === 0) continue;
            const g = dH[j], r = j * d;
            gb[j] += g;
            for (let i = 0; i < d; i++) gw[r + i] += g * X[xo + i];
          }
        }
      }
      step++;
      const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step;
      params.forEach((p, pi) => {
        const g = grads[pi], a = m1[pi], v = m2[pi], decay = pi < W.length ? wd : 0;
        for (let i = 0; i < p.length; i++) {
          const gi = g[i] + 2 * decay * p[i];
          a[i] = beta1 * a[i] + (1 - beta1) * gi;
          v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
          p[i] -= (lr * (a[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
        }
      });
    }
  }
  const layers: GeometryLayer[] = sizes.map(([i, o], li) => ({ in: i, out: o, weight: [...W[li]], bias: [...B[li]] }));
  return {
    format: "aunce-geometry-au", version: 1, features: GEOMETRY_FEATURES_VERSION, template, aus: [...aus],
    mean: [...mean], std: [...std], layers, mirrorAverage: mirror,
    meta: { ...opts.meta, recipe: { hidden, epochs, batchSize: batch, lr, weightDecay: wd, seed, mirror, classBalanced: true, samples: n0 } },
  };
}
