/** Process-wide engine settings: seeds, threads, autograd mode, devices and build facts. */
import { readFileSync } from "node:fs";
import { binding, ensureLoaded, type CudaDeviceInfo, type CudaMemoryStats } from "../native/binding.ts";
import { loadedAddonPath, readEngineRecord, setupCommand, type EngineRecord } from "../native/load.ts";

export type { CudaDeviceInfo, CudaMemoryStats, EngineRecord };

/** Seeds libtorch's generators (rand, randn, dropout, init). */
export function manualSeed(seed: number): void {
  binding.manualSeed(seed);
}
/** The CPU generator's state (dropout, drop-path and init draws), for exact resume. */
export function getRngState(): Uint8Array {
  return binding.getRngState();
}
/** Restores a state from `getRngState()`. */
export function setRngState(state: Uint8Array): void {
  binding.setRngState(state);
}
/**
 * Runs fn with libtorch's generator seeded with `seed`, then puts the generator back in the state it
 * had (also when fn throws): fn's draws are reproducible and the caller's random stream is untouched.
 */
export function withSeed<T>(seed: number, fn: () => T): T {
  const saved = getRngState();
  manualSeed(seed);
  try {
    return fn();
  } finally {
    setRngState(saved);
  }
}
/** Intra-op threads; defaults to the core count at load (env AUNCE_NUM_THREADS overrides). */
export function setNumThreads(n: number): void {
  binding.setNumThreads(n);
}
export function getNumThreads(): number {
  return binding.getNumThreads();
}
/** Runs fn with autograd recording off (as torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = binding.setGradEnabled(false);
  try {
    return fn();
  } finally {
    binding.setGradEnabled(prev);
  }
}
/** Runs fn with autograd recording on (inside a noGrad region). */
export function enableGrad<T>(fn: () => T): T {
  const prev = binding.setGradEnabled(true);
  try {
    return fn();
  } finally {
    binding.setGradEnabled(prev);
  }
}
export function isGradEnabled(): boolean {
  return binding.isGradEnabled();
}
/** Native tensor handles not yet released (for leak checks). */
export function liveTensors(): number {
  return binding.liveTensors();
}
export function cudaAvailable(): boolean {
  return binding.cudaAvailable();
}
export function cudaDeviceCount(): number {
  return binding.cudaDeviceCount();
}
/** Whether libtorch has oneDNN (MKLDNN) kernels, which frozen inference nets use (`toMkldnn`). */
export function mkldnnAvailable(): boolean {
  return binding.mkldnnAvailable();
}
/** libtorch's version, e.g. "1.13.0". */
export function torchVersion(): string {
  return binding.version();
}
/** libtorch's build configuration text (at::show_config). */
export function buildConfig(): string {
  return binding.buildConfig();
}

/**
 * The BLAS library actually mapped into this process. Debian's libtorch links libblas.so.3,
 * which the alternatives system points at OpenBLAS or the (much slower) reference BLAS.
 */
export function blasLibrary(): string {
  try {
    const maps = readFileSync("/proc/self/maps", "utf8");
    const libs = new Set(maps.split("\n").map((l) => l.split(/\s+/)[5]).filter((p) => p && /blas|mkl/i.test(p)));
    if (libs.size === 0) return "none found in /proc/self/maps (statically linked or MKL)";
    return [...libs].join(", ");
  } catch {
    return "unknown (no /proc/self/maps)";
  }
}

/** A one-screen summary of the engine for `aunce doctor` and the benchmark header. */
export function engineInfo(): Record<string, string | number | boolean> {
  const cfg = buildConfig();
  const blasPath = blasLibrary();
  const blasInfo = (/BLAS_INFO=(\w+)/.exec(cfg) ?? [])[1] ?? "";
  const mapped = blasPath.startsWith("/") ? blasPath : "";
  const blas = /openblas/i.test(mapped)
    ? "OpenBLAS"
    : /mkl/i.test(mapped)
      ? "MKL"
      : /^mkl$/i.test(blasInfo)
        ? "MKL (linked statically)"
        : /blas/i.test(mapped)
          ? "reference BLAS (slow: install libopenblas0-pthread)"
          : blasPath;
  const rec = engineRecord();
  const info: Record<string, string | number | boolean> = {
    libtorch: torchVersion(),
    engine: rec ? rec.origin : "unknown (addon built without scripts/setup.mjs)",
    blas,
    blasLibrary: blasPath,
    onednn: (/(?:MKL-DNN|oneDNN) v([\d.]+)/.exec(cfg) ?? [])[1] ?? (mkldnnAvailable() ? "yes" : "no"),
    threads: getNumThreads(),
    openmp: /OpenMP/.test(cfg),
    mkldnn: mkldnnAvailable(),
    cpuCapability: (/CPU capability usage: (\w+)/.exec(cfg) ?? [])[1] ?? "unknown",
    cudaBuild: cudaBuilt(),
    cuda: cudaAvailable(),
    cudaDevices: cudaDeviceCount(),
  };
  if (cudaBuilt()) {
    info.cudaVersion = (/CUDA Runtime ([\d.]+)/.exec(cfg) ?? /CUDA_VERSION=([\d.]+)/.exec(cfg) ?? [])[1] ?? "unknown";
    info.cudnn = formatCudnn(binding.cudnnVersion());
    info.nccl = formatNccl(binding.ncclVersion());
    for (const d of cudaDevices()) {
      info[`gpu${d.index}`] = `${d.name}, ${(d.totalMemory / 2 ** 30).toFixed(1)} GiB, compute ${d.major}.${d.minor}`;
    }
  }
  return info;
}

/** Whether this engine was built with CUDA (whether or not a GPU is visible now). */
export function cudaBuilt(): boolean {
  return /USE_CUDA=(1|ON)/.test(buildConfig());
}
function formatCudnn(v: number): string {
  if (!v) return "none";
  // cuDNN 9 encodes major*10000 + minor*100 + patch; 8.x major*1000 + minor*100 + patch
  return v >= 90000 ? `${Math.floor(v / 10000)}.${Math.floor((v % 10000) / 100)}.${v % 100}` : `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 100)}.${v % 100}`;
}
function formatNccl(v: number): string {
  if (!v) return "not loaded";
  return v >= 10000 ? `${Math.floor(v / 10000)}.${Math.floor((v % 10000) / 100)}.${v % 100}` : `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 100)}.${v % 100}`;
}

/** What scripts/setup.mjs recorded about the libtorch the loaded addon was built against. */
export function engineRecord(): EngineRecord | null {
  ensureLoaded();
  const p = loadedAddonPath();
  return p ? readEngineRecord(p) : null;
}

/** The visible GPUs (empty on a CPU engine). */
export function cudaDevices(): CudaDeviceInfo[] {
  return binding.cudaDevices();
}
/** The CUDA caching allocator's current and peak bytes for a device. */
export function cudaMemory(index = 0): CudaMemoryStats {
  return binding.cudaMemory(index);
}
export function cudaResetPeakMemory(index = 0): void {
  binding.cudaResetPeakMemory(index);
}
/** Returns cached, unused GPU memory to the driver. */
export function cudaEmptyCache(): void {
  binding.cudaEmptyCache();
}
/** Waits until the device's queued kernels have finished (for timing). */
export function cudaSynchronize(index = 0): void {
  binding.cudaSynchronize(index);
}
/** cuDNN switches: deterministic algorithms only, and benchmark-mode algorithm search. */
export function setCudnn(opts: { deterministic: boolean; benchmark: boolean }): void {
  binding.setCudnn(opts.deterministic, opts.benchmark);
}
export function getCudaRngState(index = 0): Uint8Array {
  return binding.getCudaRngState(index);
}
export function setCudaRngState(index: number, state: Uint8Array): void {
  binding.setCudaRngState(index, state);
}

/**
 * Runs fn with libtorch's autocast on for one device type (as `torch.autocast(device, dtype)`):
 * eligible ops (matmul, conv, linear) run in the lower precision, the rest in float32.
 */
export function autocast<T>(device: "cpu" | "cuda", dtype: "float16" | "bfloat16", fn: () => T): T {
  const [wasOn, wasDtype] = binding.setAutocast(device, true, dtype);
  binding.autocastNesting(1);
  try {
    return fn();
  } finally {
    binding.autocastNesting(-1);
    binding.setAutocast(device, wasOn, wasDtype === "float16" ? "float16" : "bfloat16");
  }
}

/**
 * The device named by a `--device` value, else by the reference's `--gpu_ids` (its first id;
 * "" or -1 = CPU). Only the name: `checkDevice` says whether this engine has it.
 */
export function deviceFromIds(device: string | undefined, gpuIds: string | undefined): string {
  if (device) return device === "cuda" ? "cuda:0" : device;
  const first = (gpuIds ?? "").split(",").map((s) => s.trim()).filter(Boolean)[0];
  return first === undefined || first === "-1" ? "cpu" : `cuda:${first}`;
}

/**
 * Checks a device name before any work: "cpu", "cuda" (= "cuda:0") or "cuda:N". A CUDA device on
 * a CPU-only engine says how to get a CUDA build; an index out of range lists the GPUs there are.
 * Returns the canonical name ("cuda" -> "cuda:0").
 */
export function checkDevice(device: string): string {
  if (device === "cpu") return device;
  const m = /^cuda(?::(\d+))?$/.exec(device);
  if (!m) throw new Error(`unknown device '${device}' (expected cpu, cuda or cuda:N)`);
  if (!cudaBuilt()) {
    const rec = engineRecord();
    throw new Error(
      `device ${device}: this engine (libtorch ${torchVersion()}${rec ? `, ${rec.origin}` : ""}) has no CUDA. ` +
        "For a GPU, build against a CUDA PyTorch: install one in your python3 (`pip install torch`) or set LIBTORCH_DIR " +
        `to a CUDA libtorch, then run \`${setupCommand()}\` (\`aunce doctor\` shows the engine in use).`,
    );
  }
  const n = cudaDeviceCount();
  const index = Number(m[1] ?? 0);
  if (n === 0) throw new Error(`device ${device}: this CUDA engine sees no GPU (driver missing, or CUDA_VISIBLE_DEVICES hides them)`);
  if (index >= n) {
    const list = cudaDevices().map((d) => `cuda:${d.index} (${d.name}, ${(d.totalMemory / 2 ** 30).toFixed(0)} GiB)`).join(", ");
    throw new Error(`device ${device} does not exist; this machine has ${list}`);
  }
  return `cuda:${index}`;
}

/** Whether an error is libtorch's CUDA out-of-memory error. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && /CUDA out of memory|CUBLAS_STATUS_ALLOC_FAILED|out of memory/i.test(err.message);
}
