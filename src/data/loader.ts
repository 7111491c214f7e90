/**
 * The data loader: shuffles per epoch from the seed, renders samples on worker threads straight into
 * shared batch buffers, keeps `prefetch` batches in flight, and hands out plain typed arrays.
 *
 * Determinism: the order is a permutation keyed by (seed, epoch) and every view's augmentation is
 * keyed by (seed, epoch, dataset index, view), so batches are identical for any worker count or
 * prefetch depth. Memory is bounded: (prefetch + 1) batch slots, reused round-robin.
 */
import { availableParallelism } from "node:os";
import type { AuDataset } from "./dataset.ts";
import { Rng } from "./rng.ts";
import { renderSample, type SampleTask } from "./sample.ts";
import { DEFAULT_AUGMENT, type AugmentConfig } from "./transforms/params.ts";
import { WorkerPool } from "./worker-pool.ts";

export interface LoaderOptions {
  /** Images per batch. */
  batchSize: number;
  /** "train": augmented views; "test": centre crop, one view, no shuffle by default. */
  mode: "train" | "test";
  /** Independently augmented views per image (2 for contrastive training; train mode only). Default 2 in train, 1 in test. */
  views?: number;
  /** Default: true in train mode. */
  shuffle?: boolean;
  /** Drop a last partial batch. Default false. */
  dropLast?: boolean;
  /** Default 3407 (the reference seed). */
  seed?: number;
  /** Worker threads; 0 renders on the main thread. Default: one per core. */
  workers?: number;
  /** Batches rendered ahead of the one being consumed. Default 2. */
  prefetch?: number;
  /** Augmentation overrides (spec §5 defaults). */
  augment?: Partial<AugmentConfig>;
  /**
   * Data-parallel sharding (DistributedSampler semantics): every rank uses the same seed and so
   * the same epoch order; global batch b is order[b·B·N, (b+1)·B·N) with B = batchSize (per rank)
   * and N = worldSize, and rank r reads its r-th block of B. Gathering the ranks' batches in rank
   * order therefore gives exactly the single-process batch of B·N. Without dropLast, the last
   * global batch is filled up from the start of the order, as DistributedSampler pads.
   */
  shard?: { rank: number; worldSize: number };
}

/** One batch. Its arrays are views of a reused slot: valid until the next batch is requested. */
export interface Batch {
  /** One [B,3,S,S] float32 normalised image array per view (CHW, RGB). */
  views: Float32Array[];
  /** [B,3,S,S]. */
  shape: [number, number, number, number];
  /** [B, numAus] float32: 1 present, 0 absent, -1 masked. */
  labels: Float32Array;
  /** [B] dataset indices of the samples. */
  indices: Int32Array;
  epoch: number;
  /** 0-based batch number within the epoch. */
  batch: number;
}

interface Slot {
  views: SharedArrayBuffer[];
  labels: Float32Array;
  indices: Int32Array;
}

/** Key component that separates the shuffle stream from per-sample streams. */
const SHUFFLE_STREAM = 0x5f3759df;

/**
 * Batches of a dataset for each epoch.
 * @example
 * const loader = new DataLoader(train, { batchSize: 32, mode: "train" });
 * for await (const b of loader.epoch(0)) step(b.views[0], b.views[1], b.labels);
 * await loader.close();
 */
export class DataLoader {
  readonly batchSize: number;
  readonly numViews: number;
  readonly size: number;
  private readonly cfg: AugmentConfig;
  private readonly train: boolean;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly shard: { rank: number; worldSize: number };
  private readonly seed: number;
  private readonly prefetch: number;
  private readonly pool: WorkerPool | undefined;
  private readonly slots: Slot[] = [];
  private nextTaskId = 0;
  private busy = false;

  constructor(
    readonly dataset: AuDataset,
    opts: LoaderOptions,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, received ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.train = opts.mode === "train";
    this.numViews = this.train ? (opts.views ?? 2) : 1;
    if (!this.train && (opts.views ?? 1) !== 1) throw new RangeError(`views: test mode renders 1 view, received ${opts.views}`);
    if (!Number.isInteger(this.numViews) || this.numViews < 1) throw new RangeError(`views: expected a positive integer, received ${opts.views}`);
    const shard = opts.shard ?? { rank: 0, worldSize: 1 };
    if (!Number.isInteger(shard.worldSize) || shard.worldSize < 1 || !Number.isInteger(shard.rank) || shard.rank < 0 || shard.rank >= shard.worldSize) {
      throw new RangeError(`shard: rank ${shard.rank} is not in 0..${shard.worldSize - 1} (world size ${shard.worldSize})`);
    }
    this.shard = shard;
    this.shuffle = opts.shuffle ?? this.train;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed ?? 3407;
    this.prefetch = Math.max(0, opts.prefetch ?? 2);
    this.cfg = { ...DEFAULT_AUGMENT, ...opts.augment };
    this.size = this.cfg.cropSize;
    const workers = opts.workers ?? availableParallelism();
    this.pool = workers > 0 ? new WorkerPool(workers, this.cfg) : undefined;
    const per = 3 * this.size * this.size;
    for (let s = 0; s < this.prefetch + 1; s++) {
      this.slots.push({
        views: Array.from({ length: this.numViews }, () => new SharedArrayBuffer(this.batchSize * per * 4)),
        labels: new Float32Array(this.batchSize * dataset.numAus),
        indices: new Int32Array(this.batchSize),
      });
    }
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    const n = this.dataset.length / (this.batchSize * this.shard.worldSize);
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The dataset indices of this rank's batch `b` of an epoch with sample order `order`. */
  batchIndices(order: readonly number[], b: number): number[] {
    const { rank, worldSize } = this.shard;
    if (worldSize === 1) return order.slice(b * this.batchSize, (b + 1) * this.batchSize);
    const start = (b * worldSize + rank) * this.batchSize;
    return Array.from({ length: this.batchSize }, (_, i) => order[(start + i) % order.length]);
  }

  /** The sample order of `epoch`: a keyed permutation when shuffling, else 0..n-1. */
  order(epoch: number): number[] {
    const n = this.dataset.length;
    return this.shuffle ? new Rng(this.seed, epoch, SHUFFLE_STREAM).permutation(n) : Array.from({ length: n }, (_, i) => i);
  }

  /**
   * Iterates the batches of `epoch` from batch `startBatch` on (a resumed run skips the batches it
   * already trained on without rendering them); one epoch at a time per loader.
   */
  async *epoch(epoch: number, startBatch = 0): AsyncGenerator<Batch> {
    if (this.busy) throw new Error("DataLoader.epoch: another epoch is still being iterated on this loader");
    this.busy = true;
    const order = this.order(epoch);
    const total = this.batchesPerEpoch;
    const pending: Promise<Batch>[] = [];
    if (!Number.isInteger(startBatch) || startBatch < 0) throw new RangeError(`DataLoader.epoch: startBatch must be a non-negative integer, received ${startBatch}`);
    let submitted = Math.min(startBatch, total);
    const submit = () => {
      const b = submitted++;
      const p = this.renderBatch(epoch, b, this.batchIndices(order, b), this.slots[b % this.slots.length]);
      // A prefetched batch may fail while the consumer still holds an earlier one: the error is
      // raised when that batch is awaited, not as an unhandled rejection.
      p.catch(() => undefined);
      pending.push(p);
    };
    try {
      while (submitted < total && pending.length <= this.prefetch) submit();
      for (let b = Math.min(startBatch, total); b < total; b++) {
        const batch = await pending.shift()!;
        yield batch;
        // The consumer is done with batch b: its slot may now take batch b + prefetch + 1.
        if (submitted < total) submit();
      }
    } finally {
      // On early exit, let in-flight renders finish before their slots are reused.
      await Promise.allSettled(pending);
      this.busy = false;
    }
  }

  private async renderBatch(epoch: number, batch: number, indices: number[], slot: Slot): Promise<Batch> {
    const per = 3 * this.size * this.size;
    const n = this.dataset.numAus;
    const jobs = indices.map((index, i) => {
      slot.indices[i] = index;
      const lab = this.dataset.labelsOf(index);
      for (let k = 0; k < n; k++) slot.labels[i * n + k] = lab[k];
      const task: SampleTask = { id: this.nextTaskId++, file: this.dataset.path(index), index, epoch, seed: this.seed, train: this.train, outs: slot.views, offset: i * per };
      return this.pool ? this.pool.run(task) : renderSample(task, this.cfg).then(() => undefined);
    });
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const B = indices.length;
    return {
      views: slot.views.map((buf) => new Float32Array(buf, 0, B * per)),
      shape: [B, 3, this.size, this.size],
      labels: slot.labels.subarray(0, B * n),
      indices: slot.indices.subarray(0, B),
      epoch,
      batch,
    };
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
