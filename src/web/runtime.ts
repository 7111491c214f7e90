/**
 * The onnxruntime-web adapter: environment set-up (wasm files from the page's origin, threads,
 * SIMD), sessions made from model URLs with errors that name the URL, and plain-array runs.
 */
import * as ort from "onnxruntime-web";
import type { WebBackend } from "./types.ts";

/** A tiny module using one SIMD instruction (i8x16.splat): WebAssembly.validate says whether SIMD is there. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** What this browser offers the runtime. */
export interface RuntimeSupport {
  wasm: boolean;
  simd: boolean;
  /** SharedArrayBuffer and cross-origin isolation: wasm threads possible. */
  threads: boolean;
  webgpu: boolean;
}

/** Feature checks; no side effects. */
export function runtimeSupport(): RuntimeSupport {
  const wasm = typeof WebAssembly === "object" && typeof WebAssembly.validate === "function";
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { gpu?: unknown } };
  return {
    wasm,
    simd: wasm && WebAssembly.validate(SIMD_PROBE),
    threads: typeof SharedArrayBuffer === "function" && g.crossOriginIsolated === true,
    webgpu: !!g.navigator?.gpu,
  };
}

/** Raised when the browser cannot run the models (no WebAssembly or no SIMD). */
export class UnsupportedBrowserError extends Error {
  override readonly name = "UnsupportedBrowserError";
}

/** Raised when a model cannot be fetched or parsed; `url` says which. */
export class ModelLoadError extends Error {
  override readonly name = "ModelLoadError";
  constructor(readonly url: string, reason: string) {
    super(`cannot load the model at ${url}: ${reason}`);
  }
}

/** Runtime settings of createAuDetector. */
export interface RuntimeOptions {
  /** Folder URL of onnxruntime-web's ort-wasm-*.wasm/.mjs files. Default "/ort/" (npm run web serves them there). */
  wasmPaths?: string;
  /** wasm threads. Default: the cores the browser reports (at most 4), 1 without cross-origin isolation. */
  numThreads?: number;
  /** Default "auto": WebGPU where the browser has it, else wasm. */
  backend?: WebBackend;
}

let configured = false;

/** Sets onnxruntime-web's wasm environment (it is global); checks SIMD. Throws UnsupportedBrowserError. */
export function configureRuntime(opts: RuntimeOptions = {}): { support: RuntimeSupport; numThreads: number } {
  const support = runtimeSupport();
  if (!support.wasm) throw new UnsupportedBrowserError("this browser has no WebAssembly; aunce needs WebAssembly with SIMD (Chrome 91+, Firefox 89+, Safari 16.4+)");
  if (!support.simd) throw new UnsupportedBrowserError("this browser's WebAssembly lacks SIMD; aunce needs it (Chrome 91+, Firefox 89+, Safari 16.4+)");
  const hw = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  const numThreads = opts.numThreads ?? (support.threads ? Math.max(1, Math.min(4, hw)) : 1);
  if (!Number.isInteger(numThreads) || numThreads < 1) throw new RangeError(`createAuDetector: numThreads must be a whole number >= 1, got ${JSON.stringify(opts.numThreads)}`);
  if (!configured || opts.wasmPaths !== undefined || opts.numThreads !== undefined) {
    ort.env.wasm.wasmPaths = opts.wasmPaths ?? "/ort/";
    ort.env.wasm.numThreads = support.threads ? numThreads : 1;
    ort.env.wasm.simd = true;
    configured = true;
  }
  return { support, numThreads: support.threads ? numThreads : 1 };
}

/**
 * The execution providers for a backend choice: "auto" takes WebGPU when the browser gives an
 * adapter (navigator.gpu alone is not enough: headless browsers often have no adapter), else wasm.
 */
export async function chooseProviders(backend: WebBackend = "auto", support: RuntimeSupport = runtimeSupport()): Promise<string[]> {
  if (!["auto", "wasm", "webgpu"].includes(backend)) throw new RangeError(`createAuDetector: backend must be "auto", "wasm" or "webgpu", got ${JSON.stringify(backend)}`);
  if (backend === "wasm") return ["wasm"];
  let adapter: unknown = null;
  if (support.webgpu) {
    try {
      adapter = await (navigator as unknown as { gpu: { requestAdapter(): Promise<unknown> } }).gpu.requestAdapter();
    } catch {
      adapter = null;
    }
  }
  if (backend === "webgpu" && !adapter) throw new UnsupportedBrowserError("backend \"webgpu\" asked for, but this browser gives no WebGPU adapter");
  return adapter ? ["webgpu"] : ["wasm"];
}

/** Fetches a model and opens a session on it; a ModelLoadError names the URL and the reason. */
export async function loadSession(url: string, providers: string[]): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new ModelLoadError(url, (err as Error).message);
  }
  try {
    return await ort.InferenceSession.create(bytes, { executionProviders: providers, graphOptimizationLevel: "all" });
  } catch (err) {
    throw new ModelLoadError(url, `not a model onnxruntime-web can run (${(err as Error).message})`);
  }
}

/** Fetches and parses a JSON file; a ModelLoadError names the URL. */
export async function loadJson(url: string): Promise<unknown> {
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    return await res.json();
  } catch (err) {
    throw new ModelLoadError(url, (err as Error).message);
  }
}

/** Runs a single-input session on a float32 tensor; returns the outputs by name as plain arrays with their shapes. */
export async function runFloat(session: ort.InferenceSession, data: Float32Array, dims: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", data, dims) };
  const out = await session.run(feeds);
  const res: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const name of session.outputNames) {
    const t = out[name];
    res[name] = { data: t.data as Float32Array, dims: t.dims };
    t.dispose?.();
  }
  return res;
}
