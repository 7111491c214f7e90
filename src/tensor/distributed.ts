/**
 * Collectives across processes on libtorch's c10d (native/src/dist.cc): a TCPStore rendezvous
 * hosted by rank 0 and a Gloo (CPU tensors) or NCCL (CUDA tensors) process group. Every call
 * blocks until all ranks took part, or throws after the group's timeout with a message naming this
 * rank. Ranks must call the collectives in the same order with tensors of the same shapes.
 */
import { binding, type NativeGradReducer, type NativeProcessGroup } from "../native/binding.ts";
import { Tensor, wrapNative } from "./tensor.ts";

export type DistBackend = "gloo" | "nccl";
export type ReduceOp = "sum" | "avg" | "max" | "min";

export interface ProcessGroupOptions {
  rank: number;
  worldSize: number;
  /** The rendezvous host (rank 0's address). Default 127.0.0.1. */
  masterAddr?: string;
  /** The rendezvous port on masterAddr (rank 0 listens there). Default 29500, as torchrun. */
  masterPort?: number;
  /** Default gloo. nccl needs a CUDA build of the addon and CUDA tensors. */
  backend?: DistBackend;
  /** How long a rendezvous or a collective may wait for the other ranks. Default 300 s. */
  timeoutMs?: number;
}

export const DEFAULT_MASTER_PORT = 29500;
export const DEFAULT_DIST_TIMEOUT_MS = 300_000;

/** Whether this addon was built with c10d's NCCL backend (a CUDA engine with NCCL headers). */
export function ncclAvailable(): boolean {
  return binding.ncclAvailable();
}

/** A group of `worldSize` processes; create one per process with `ProcessGroup.init`. */
export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: DistBackend;
  #native: NativeProcessGroup | null;

  private constructor(native: NativeProcessGroup, backend: DistBackend) {
    this.#native = native;
    this.rank = native.rank;
    this.worldSize = native.worldSize;
    this.backend = backend;
  }

  /**
   * Joins the group: rank 0 hosts the store on masterAddr:masterPort, every rank connects, and all
   * ranks check that they were started with the same world size (each rank once) before the
   * backend connects them. Throws a message naming the rank on a bad address or port, a rank that
   * never joins within the timeout, or a world-size mismatch.
   */
  static init(o: ProcessGroupOptions): ProcessGroup {
    const backend = o.backend ?? "gloo";
    if (!Number.isInteger(o.worldSize) || o.worldSize < 1) throw new RangeError(`ProcessGroup: worldSize must be an integer >= 1, got ${o.worldSize}`);
    if (!Number.isInteger(o.rank) || o.rank < 0 || o.rank >= o.worldSize) throw new RangeError(`ProcessGroup: rank ${o.rank} is not in 0..${o.worldSize - 1}`);
    const port = o.masterPort ?? DEFAULT_MASTER_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`ProcessGroup: master port ${port} is not an integer in 1..65535`);
    const native = new binding.ProcessGroup({
      backend, addr: o.masterAddr ?? "127.0.0.1", port, rank: o.rank, worldSize: o.worldSize, timeoutMs: o.timeoutMs ?? DEFAULT_DIST_TIMEOUT_MS,
    });
    return new ProcessGroup(native, backend);
  }

  get #pg(): NativeProcessGroup {
    if (!this.#native) throw new Error(`rank ${this.rank}: the process group is closed`);
    return this.#native;
  }

  /** Reduces the tensors in place over all ranks, as one flattened bucket ("avg" = sum / worldSize). */
  allReduce(tensors: readonly Tensor[], op: ReduceOp = "sum"): void {
    this.#pg.allReduce(tensors.map((t) => t.native), op);
  }
  /** Overwrites the tensors (contiguous) with rank `root`'s values. */
  broadcast(tensors: readonly Tensor[], root = 0): void {
    this.#pg.broadcast(tensors.map((t) => t.native), root);
  }
  /** Every rank's `t`, in rank order (new tensors; no gradient). */
  allGather(t: Tensor): Tensor[] {
    return this.#pg.allGather(t.native).map(wrapNative);
  }
  barrier(): void {
    this.#pg.barrier();
  }
  /**
   * The ranks' `t` concatenated along dim 0 ([worldSize * B, ...]), differentiable: the backward
   * sums the gathered gradient over ranks and returns this rank's rows of it (what a
   * reduce-scatter gives). With every rank computing the same loss L of the gathered batch, the
   * gradient reaching `t` is worldSize * dL/dt; averaging the parameter gradients over ranks (as
   * DDP does) then gives exactly dL/dθ of the single-process run.
   */
  allGatherWithGrad(t: Tensor): Tensor {
    return wrapNative(this.#pg.allGatherGrad(t.native));
  }
  /** The sum of `t` over ranks, differentiable (its backward sums the gradient over ranks): sync-BN statistics. */
  allReduceWithGrad(t: Tensor): Tensor {
    return wrapNative(this.#pg.allReduceGrad(t.native));
  }
  /**
   * A reducer that averages the gradients of `buckets` (parameters, each bucket in the order
   * backward produces their gradients) over ranks while backward runs: see GradReducer.
   */
  gradReducer(buckets: readonly (readonly Tensor[])[]): GradReducer {
    return new GradReducer(new binding.GradReducer(this.#pg.groupId, buckets.map((b) => b.map((t) => t.native))), this.rank);
  }
  /** Leaves the group (the store and backend close once no autograd node holds them). */
  close(): void {
    this.#native?.close();
    this.#native = null;
  }
}

/** What one GradReducer.finalize() did. */
export interface ReduceStats {
  /** Milliseconds finalize() spent: launching the buckets still pending and waiting for all of them. */
  ms: number;
  /** Buckets whose all-reduce was launched during backward (the rest were launched by finalize). */
  overlapped: number;
}

/**
 * DDP's gradient reducer (native/src/dist.cc): C++ hooks on the parameters' gradient accumulators
 * launch a bucket's async c10d all-reduce as soon as every gradient in it has been accumulated,
 * in bucket order (the same on every rank), so communication overlaps the rest of the backward
 * pass. Per step: `prepare()` before `backward()`, `finalize()` after it. A parameter without a
 * gradient in a step takes part with zeros (and gets the mean as its gradient), so every rank
 * reduces the same buckets; a bucket waiting for one goes out in finalize(). Backward passes
 * without prepare() (e.g. a second loss) are not reduced.
 */
export class GradReducer {
  #native: NativeGradReducer | null;

  constructor(native: NativeGradReducer, readonly rank: number) {
    this.#native = native;
  }

  get #r(): NativeGradReducer {
    if (!this.#native) throw new Error(`rank ${this.rank}: the gradient reducer is closed`);
    return this.#native;
  }

  /** Arms the hooks for the next backward pass. */
  prepare(): void {
    this.#r.prepare();
  }
  /**
   * Launches the buckets still pending, waits for every bucket (within the group's timeout; a
   * failure names this rank) and replaces each gradient with its mean over ranks.
   */
  finalize(): ReduceStats {
    return this.#r.finalize();
  }
  close(): void {
    this.#native?.close();
    this.#native = null;
  }
}
