/**
 * Frozen-encoder features for linear evaluation: each image once, test-time transform (centre
 * crop), encoder in eval mode, no autograd. The reference re-augments every epoch and leaves the
 * encoder in train mode; caching one centre-crop pass makes the 100 linear epochs cost seconds.
 */
import { AuDataset, DataLoader, batchToTensors, partOfSubject } from "../data/index.ts";
import type { AuModel } from "../models/au-model.ts";
import { cat, noGrad, tidy, type ProcessGroup } from "../tensor/index.ts";

export interface FeatureSet {
  /** [n, C, N] float32 AU embeddings (or [n, N] scores for a score model). */
  features: Float32Array;
  featureShape: number[];
  /** [n, N] labels: 1, 0, or -1 (masked). */
  labels: Float32Array;
  n: number;
}

/**
 * Runs `model` over `ds` (centre crop of cropSize) and collects its outputs; `device` is where
 * `model` lives. With `group` (a data-parallel run), every rank encodes its shard of each batch
 * (`batchSize` images per rank; the last batch padded as DistributedSampler does) and the
 * outputs are all-gathered, so every rank returns the whole set in dataset order.
 */
export async function extractFeatures(model: AuModel, ds: AuDataset, o: { cropSize: number; batchSize?: number; workers?: number; device?: string; group?: ProcessGroup; onBatch?: (done: number, total: number) => void }): Promise<FeatureSet> {
  const group = o.group && o.group.worldSize > 1 ? o.group : undefined;
  const loader = new DataLoader(ds, {
    batchSize: o.batchSize ?? 64, mode: "test", workers: o.workers, augment: { cropSize: o.cropSize },
    ...(group ? { shard: { rank: group.rank, worldSize: group.worldSize } } : {}),
  });
  const chunks: Float32Array[] = [];
  let shape: number[] = [];
  const labels = new Float32Array(ds.length * ds.numAus);
  let done = 0;
  model.eval();
  try {
    for await (const b of loader.epoch(0)) {
      const bt = batchToTensors(b, o.device ?? "cpu");
      try {
        // Sharded: the ranks' blocks in rank order are the global batch, in dataset order.
        const out = noGrad(() => tidy(() => {
          const local = model.forward(bt.views[0]).contiguous();
          return group ? cat(group.allGather(local)) : local;
        }));
        shape = out.shape.slice(1) as number[];
        const per = shape.reduce((a, c) => a * c, 1);
        // The padding of a sharded last batch is dropped.
        const keep = Math.min(out.shape[0], ds.length - done);
        chunks.push((out.data() as Float32Array).subarray(0, keep * per));
        out.dispose();
        for (let i = 0; i < keep; i++) labels.set(ds.labelsOf(done + i), (done + i) * ds.numAus);
        done += keep;
      } finally {
        bt.dispose();
      }
      o.onBatch?.(done, ds.length);
    }
  } finally {
    await loader.close();
  }
  const per = shape.reduce((a, c) => a * c, 1);
  const features = new Float32Array(done * per);
  let off = 0;
  for (const c of chunks) {
    features.set(c, off);
    off += c.length;
  }
  return { features, featureShape: shape, labels, n: done };
}

/** The subject a sample belongs to (the path segment that names a known subject). */
export function subjectOf(ds: AuDataset, i: number): string {
  const seg = ds.path(i).split(/[\\/]/).find((s) => partOfSubject(ds.dataset, s) !== undefined);
  if (!seg) throw new Error(`cannot tell the subject of ${ds.path(i)} (no ${ds.dataset} subject name in its path)`);
  return seg;
}

/**
 * Splits a training fold by subject: about `fraction` of its subjects (at least one) become a
 * validation set for epoch selection; the test fold is never looked at.
 */
export function subjectSplit(ds: AuDataset, fraction: number, seed: number): { train: number[]; val: number[]; valSubjects: string[] } {
  const subjects = [...new Set(Array.from({ length: ds.length }, (_, i) => subjectOf(ds, i)))].sort();
  if (subjects.length < 2) throw new Error(`the training fold has ${subjects.length} subject(s); a validation split needs at least 2`);
  // A seeded shuffle of the subject list (xorshift on the seed) picks the validation subjects.
  let s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  const rand = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const order = subjects.map((x) => [rand(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  const nVal = Math.min(subjects.length - 1, Math.max(1, Math.round(subjects.length * fraction)));
  const valSubjects = new Set(order.slice(0, nVal));
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < ds.length; i++) (valSubjects.has(subjectOf(ds, i)) ? val : train).push(i);
  return { train, val, valSubjects: [...valSubjects].sort() };
}

/** A dataset of some of `ds`'s samples. */
export function subset(ds: AuDataset, idx: number[]): AuDataset {
  const labels = new Int8Array(idx.length * ds.numAus);
  idx.forEach((i, k) => labels.set(ds.labelsOf(i), k * ds.numAus));
  return new AuDataset({ dataset: ds.dataset, imgRoot: "/", images: idx.map((i) => ds.path(i)), labels, numAus: ds.numAus, weights: ds.weights });
}
