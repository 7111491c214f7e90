/** Process-wide engine settings: seeds, threads, autograd mode, devices and build facts. */
import { readFileSync } from "node:fs";
import { binding } from "../native/binding.ts";

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
  const blas = /openblas/i.test(blasPath) ? "OpenBLAS" : /mkl/i.test(blasPath) ? "MKL" : /blas/i.test(blasPath) ? "reference BLAS (slow: install libopenblas0-pthread)" : blasPath;
  return {
    libtorch: torchVersion(),
    blas,
    blasLibrary: blasPath,
    threads: getNumThreads(),
    openmp: /OpenMP/.test(cfg),
    mkldnn: mkldnnAvailable(),
    cpuCapability: (/CPU capability usage: (\w+)/.exec(cfg) ?? [])[1] ?? "unknown",
    cuda: cudaAvailable(),
    cudaDevices: cudaDeviceCount(),
  };
}
