/**
 * Data-parallel training on c10d (see docs/distributed.md): the process group a worker joins
 * from torchrun's environment variables, the start-of-run broadcast of parameters and buffers
 * from rank 0, DDP's bucketed, averaged gradient all-reduce (overlapped with backward), and the per-step agreement on
 * stopping (Ctrl-C, a signal) so that every rank stops after the same step.
 */
import type { Module } from "../nn/index.ts";
import { DEFAULT_DIST_TIMEOUT_MS, DEFAULT_MASTER_PORT, fromArray, noGrad, ProcessGroup, tidy, zerosLike, type DistBackend, type GradReducer, type Tensor } from "../tensor/index.ts";

/** A worker's place in a data-parallel run. */
export interface DistContext {
  group: ProcessGroup;
  rank: number;
  worldSize: number;
  /** The rank on this machine (the GPU index on CUDA). */
  localRank: number;
  /** Whether gradient buckets are all-reduced during backward (default) or after it (GradientSync). */
  overlap?: boolean;
}

/** What torchrun (or `aunce train --nproc_per_node`) tells a worker, read from the environment. */
export interface DistEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  backend?: DistBackend;
  timeoutMs: number;
  /** AUNCE_DIST_OVERLAP=0 reduces the gradients after backward instead of during it. */
  overlap: boolean;
}

function envInt(env: NodeJS.ProcessEnv, key: string, fallback?: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") {
    if (fallback === undefined) throw new Error(`${key} is not set (a distributed worker needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, as torchrun sets them)`);
    return fallback;
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${key}=${raw} is not a non-negative integer`);
  return v;
}

/**
 * The distributed settings in `env` (torchrun's RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
 * MASTER_PORT; aunce's AUNCE_DIST_BACKEND, AUNCE_DIST_TIMEOUT in seconds and AUNCE_DIST_OVERLAP
 * (1 = gradient all-reduce during backward, the default; 0 = after it)), or null when
 * WORLD_SIZE is unset (a single-process run).
 */
export function distEnv(env: NodeJS.ProcessEnv = process.env): DistEnv | null {
  if (env.WORLD_SIZE === undefined || env.WORLD_SIZE === "") return null;
  const worldSize = envInt(env, "WORLD_SIZE");
  if (worldSize < 1) throw new Error(`WORLD_SIZE=${env.WORLD_SIZE} must be >= 1`);
  const rank = envInt(env, "RANK");
  if (rank >= worldSize) throw new Error(`RANK=${rank} is not a rank of WORLD_SIZE=${worldSize} (0..${worldSize - 1})`);
  const masterPort = envInt(env, "MASTER_PORT", DEFAULT_MASTER_PORT);
  if (masterPort < 1 || masterPort > 65535) throw new Error(`MASTER_PORT=${masterPort} is not a port (1..65535)`);
  const backend = env.AUNCE_DIST_BACKEND;
  if (backend !== undefined && backend !== "" && backend !== "gloo" && backend !== "nccl") throw new Error(`AUNCE_DIST_BACKEND=${backend}: expected gloo or nccl`);
  const timeout = env.AUNCE_DIST_TIMEOUT ? Number(env.AUNCE_DIST_TIMEOUT) : DEFAULT_DIST_TIMEOUT_MS / 1000;
  if (!(timeout > 0)) throw new Error(`AUNCE_DIST_TIMEOUT=${env.AUNCE_DIST_TIMEOUT}: expected a positive number of seconds`);
  const overlap = env.AUNCE_DIST_OVERLAP ?? "";
  if (!["", "0", "1"].includes(overlap)) throw new Error(`AUNCE_DIST_OVERLAP=${overlap}: expected 1 (all-reduce during backward) or 0 (after it)`);
  return {
    rank, worldSize, localRank: envInt(env, "LOCAL_RANK", rank), masterAddr: env.MASTER_ADDR || "127.0.0.1", masterPort,
    ...(backend ? { backend: backend as DistBackend } : {}), timeoutMs: Math.round(timeout * 1000), overlap: overlap !== "0",
  };
}

/** The backend for a training device: Gloo for the CPU, NCCL for CUDA (as torchrun users expect). */
export function defaultBackend(device: string): DistBackend {
  return device.startsWith("cuda") ? "nccl" : "gloo";
}

/** Joins the group described by `e` (blocking until every rank has joined or the timeout). */
export function joinGroup(e: DistEnv, device: string): DistContext {
  const group = ProcessGroup.init({
    rank: e.rank, worldSize: e.worldSize, masterAddr: e.masterAddr, masterPort: e.masterPort, backend: e.backend ?? defaultBackend(device), timeoutMs: e.timeoutMs,
  });
  return { group, rank: e.rank, worldSize: e.worldSize, localRank: e.localRank, overlap: e.overlap };
}

/** Overwrites every parameter and buffer of `model` with rank 0's (as DDP does at construction). */
export function broadcastModule(model: Module, group: ProcessGroup): void {
  const tensors = [...model.parameters(), ...model.namedBuffers().map(([, b]) => b)] as Tensor[];
  noGrad(() => group.broadcast(tensors, 0));
}

/** DDP's default bucket size: 25 MiB of gradients per all-reduce. */
export const DEFAULT_BUCKET_BYTES = 25 * 2 ** 20;
/** DDP's first bucket (the last layers' gradients, ready first) is 1 MiB, so communication starts early in backward. */
export const DEFAULT_FIRST_BUCKET_BYTES = 2 ** 20;

/**
 * Gradient averaging over ranks in buckets, as DDP's reducer: parameters are grouped in reverse
 * registration order (the order backward produces their gradients) into buckets of about
 * `bucketBytes` (the first one `firstBucketBytes`, as DDP), and each bucket is one flattened
 * all-reduce, averaged (sum / world size).
 *
 * Per step: `beforeBackward()`, `backward()`, `average()`. With `overlap` (the default) the
 * native GradReducer launches each bucket's all-reduce from C++ hooks as soon as backward has
 * produced all of its gradients, and `average()` only waits for what is still in flight; without
 * it (AUNCE_DIST_OVERLAP=0, the fallback) `average()` reduces the buckets one by one after backward.
 * Both give the same sums in the same bucket layout.
 */
export class GradientSync {
  readonly buckets: Tensor[][];
  readonly overlap: boolean;
  /** Buckets launched during the last backward (overlap mode; 0 otherwise). */
  lastOverlapped = 0;
  #reducer: GradReducer | null;
  #armed = false;

  constructor(
    params: readonly Tensor[],
    private readonly group: ProcessGroup,
    opts: { bucketBytes?: number; firstBucketBytes?: number; overlap?: boolean } = {},
  ) {
    const bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    const firstBucketBytes = opts.firstBucketBytes ?? Math.min(DEFAULT_FIRST_BUCKET_BYTES, bucketBytes);
    if (!(bucketBytes > 0) || !(firstBucketBytes > 0)) throw new RangeError(`GradientSync: bucket sizes must be > 0, got ${bucketBytes} and ${firstBucketBytes}`);
    const buckets: Tensor[][] = [];
    let cur: Tensor[] = [];
    let bytes = 0;
    for (const p of [...params].reverse()) {
      cur.push(p);
      bytes += p.numel * 4;
      if (bytes >= (buckets.length ? bucketBytes : firstBucketBytes)) {
        buckets.push(cur);
        cur = [];
        bytes = 0;
      }
    }
    if (cur.length) buckets.push(cur);
    this.buckets = buckets;
    this.overlap = opts.overlap ?? true;
    this.#reducer = this.overlap && buckets.length ? group.gradReducer(buckets) : null;
  }

  /** Call right before `backward()`: arms the reducer's hooks (overlap mode; nothing otherwise). */
  beforeBackward(): void {
    this.#reducer?.prepare();
    this.#armed = true;
  }

  /**
   * Replaces every gradient with its mean over ranks. A parameter without a gradient on this rank
   * takes part with zeros (so every rank reduces the same buckets); milliseconds spent here are
   * returned (with overlap: only the wait for the buckets still in flight after backward).
   */
  average(): number {
    if (this.#reducer) {
      if (!this.#armed) throw new Error(`rank ${this.group.rank}: GradientSync.average() without beforeBackward() before the backward pass`);
      this.#armed = false;
      const r = this.#reducer.finalize();
      this.lastOverlapped = r.overlapped;
      return r.ms;
    }
    this.#armed = false;
    const t0 = performance.now();
    for (const bucket of this.buckets) {
      tidy(() => {
        const grads = bucket.map((p) => {
          const g = p.grad;
          if (g) return g;
          const z = zerosLike(p);
          p.grad = z;
          return z;
        });
        this.group.allReduce(grads, "avg");
      });
    }
    return performance.now() - t0;
  }

  /** Releases the reducer (its hooks stay on the parameters but do nothing). */
  close(): void {
    this.#reducer?.close();
    this.#reducer = null;
  }
}

/** Whether any rank wants to stop (its flag set): every rank gets the same answer, after the same step. */
export function anyRank(group: ProcessGroup, flag: boolean): boolean {
  return tidy(() => {
    const t = fromArray(Float32Array.of(flag ? 1 : 0), [1]);
    group.allReduce([t], "max");
    return t.item() > 0;
  });
}

/** The mean of a per-rank number over ranks (a loss for the log). */
export function meanOverRanks(group: ProcessGroup, value: number): number {
  return tidy(() => {
    const t = fromArray(Float64Array.of(value), [1]);
    group.allReduce([t], "avg");
    return t.item();
  });
}

/** Every rank's bytes (equal lengths), in rank order: the ranks' RNG states for a checkpoint. */
export function gatherBytes(group: ProcessGroup, bytes: Uint8Array): Uint8Array[] {
  return tidy(() => group.allGather(fromArray(bytes, [bytes.length])).map((t) => t.data<"uint8">()));
}
