/**
 * The native binding's exports, listed once (see native/src/addon.cc for each contract).
 * Everything above this file goes through `binding`; nothing else loads the addon.
 */
import { loadAddon } from "./load.ts";

/** dtype names shared with the addon. */
export type DTypeName = "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** A libtorch tensor handle. Methods are synchronous; a disposed handle throws on use. */
export interface NativeTensor {
  dispose(): void;
  isDisposed(): boolean;
  shape(): number[];
  strides(): number[];
  dtype(): DTypeName;
  device(): string;
  numel(): number;
  requiresGrad(): boolean;
  setRequiresGrad(on: boolean): void;
  grad(): NativeTensor | null;
  setGrad(g: NativeTensor | null): void;
  backward(grad: NativeTensor | null, retainGraph: boolean): void;
  /** Copy of the values (float16/bfloat16 as raw Uint16 bits, bool as Uint8). */
  data(): Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
  item(): number | boolean;
  isContiguous(memoryFormat?: "contiguous" | "channels_last"): boolean;
  storageId(): number;
  isLeaf(): boolean;
}

/** One parameter group as the native optimizer reads it. */
export interface NativeParamGroup {
  params: NativeTensor[];
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
  amsgrad?: boolean;
}

export interface NativeOptimizer {
  step(): void;
  zeroGrad(setToNone: boolean): void;
  groupCount(): number;
  getLr(group: number): number;
  setLr(group: number, lr: number): void;
  saveState(): Uint8Array;
  loadState(bytes: Uint8Array): void;
  dispose(): void;
}

/** A value the op dispatch accepts as an argument. */
export type OpArg = NativeTensor | number | boolean | string | null | undefined | readonly number[] | readonly (NativeTensor | null)[];
/** A value the op dispatch returns. */
export type OpResult = NativeTensor | NativeTensor[] | number | boolean | undefined;

export interface Binding {
  opNames(): string[];
  op(id: number, ...args: OpArg[]): OpResult;
  fromBytes(bytes: ArrayBufferView | ArrayBuffer, shape: readonly number[], dtype: DTypeName, device?: string): NativeTensor;
  Optimizer: new (kind: "sgd" | "adam" | "adamw", groups: NativeParamGroup[]) => NativeOptimizer;
  manualSeed(seed: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  cudaAvailable(): boolean;
  cudaDeviceCount(): number;
  mkldnnAvailable(): boolean;
  version(): string;
  buildConfig(): string;
  liveTensors(): number;
  getRngState(): Uint8Array;
  setRngState(state: Uint8Array): void;
  // accelerator facts and switches (native/src/device.cc)
  cudaDevices(): CudaDeviceInfo[];
  cudaMemory(index: number): CudaMemoryStats;
  cudaResetPeakMemory(index: number): void;
  cudaEmptyCache(): void;
  cudaSynchronize(index: number): void;
  cudnnVersion(): number;
  ncclVersion(): number;
  setCudnn(deterministic: boolean, benchmark: boolean): void;
  getCudaRngState(index: number): Uint8Array;
  setCudaRngState(index: number, state: Uint8Array): void;
  /** Returns the previous [enabled, dtype] of that device type's autocast. */
  setAutocast(device: "cpu" | "cuda", enabled: boolean, dtype: "float16" | "bfloat16"): [boolean, DTypeName];
  autocastNesting(delta: number): number;
  // c10d process groups (native/src/dist.cc)
  ProcessGroup: new (o: NativeProcessGroupOptions) => NativeProcessGroup;
  GradReducer: new (groupId: number, buckets: NativeTensor[][]) => NativeGradReducer;
  ncclAvailable(): boolean;
}

export interface NativeProcessGroupOptions {
  backend: "gloo" | "nccl";
  addr: string;
  port: number;
  rank: number;
  worldSize: number;
  timeoutMs: number;
}

/** A c10d process group (TCPStore rendezvous + Gloo/NCCL backend). Every call blocks until done or timed out. */
export interface NativeProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: string;
  /** This process's handle of the group (what GradReducer takes). */
  readonly groupId: number;
  allReduce(tensors: NativeTensor[], op: "sum" | "avg" | "max" | "min"): void;
  broadcast(tensors: NativeTensor[], root: number): void;
  allGather(t: NativeTensor): NativeTensor[];
  barrier(): void;
  allGatherGrad(t: NativeTensor): NativeTensor;
  allReduceGrad(t: NativeTensor): NativeTensor;
  close(): void;
}

/**
 * DDP's reducer in C++: hooks on the parameters' gradient accumulators launch each bucket's async
 * all-reduce once all its gradients are ready during backward; finalize() waits and writes the means.
 */
export interface NativeGradReducer {
  prepare(): void;
  finalize(): { ms: number; overlapped: number };
  close(): void;
}

/** One GPU as libtorch sees it. */
export interface CudaDeviceInfo {
  index: number;
  name: string;
  /** bytes */
  totalMemory: number;
  major: number;
  minor: number;
}
/** The CUDA caching allocator's counters for one device, in bytes. */
export interface CudaMemoryStats {
  allocated: number;
  peakAllocated: number;
  reserved: number;
  peakReserved: number;
}

/**
 * The addon, loaded on first use rather than on import, so that an app, `aunce --help`, `aunce
 * setup` and `aunce doctor` can import aunce before the addon is built, and the first computation
 * says what to run. The first property read goes to the prototype, which loads the addon and
 * copies its exports onto `binding` itself: later reads are plain property reads.
 */
let addon: Record<string | symbol, unknown> | null = null;
export const binding: Binding = Object.create(
  new Proxy({}, {
    get(_target, key) {
      if (!addon) {
        addon = loadAddon() as Record<string | symbol, unknown>;
        Object.assign(binding, addon);
      }
      return addon[key];
    },
  }),
) as Binding;

/** Loads the addon now if nothing has yet (throws what loadAddon throws, with the fix). */
export function ensureLoaded(): void {
  void binding.opNames;
}
