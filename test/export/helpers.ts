/** Shared by the export tests: seeded inputs and an onnxruntime-node run of exported bytes. */
import { fromArray, manualSeed, randn, type Tensor } from "../../src/tensor/index.ts";

// onnxruntime-node 1.30 starts Microsoft's telemetry client, which writes `.ses` and
// `mat-debug-<pid>.log` into TMPDIR (the test runner fails on leftovers); this turns it off.
// Set before the library loads, hence the dynamic import.
process.env.ORT_DISABLE_TELEMETRY = "1";
const ort = await import("onnxruntime-node");

/** Seeded N(0, 1) float32 input of `shape` as an engine tensor. */
export function seededInput(shape: number[], seed: number): Tensor {
  manualSeed(seed);
  return randn(shape);
}

/** Runs ONNX `bytes` on one float32 input with onnxruntime-node; every output's values and dims. */
export async function runOrtAll(bytes: Uint8Array, input: string, x: Tensor): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", intraOpNumThreads: 1 });
  try {
    const feed = { [input]: new ort.Tensor("float32", Float32Array.from(x.data<"float32">()), x.shape) };
    const out = await session.run(feed);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: v.dims }]));
  } finally {
    await session.release();
  }
}

/** The named output of runOrtAll. */
export async function runOrt(bytes: Uint8Array, input: string, x: Tensor, output: string): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const out = (await runOrtAll(bytes, input, x))[output];
  if (!out) throw new Error(`runOrt: no output '${output}'`);
  return out;
}

/** Largest |a - b| (same lengths asserted by the caller). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export { fromArray };

/**
 * Creates an onnxruntime-web session (its Node build: the same wasm CPU kernels the browser runs,
 * one thread) on `bytes` and runs it once; the named output's values. Throws what the runtime
 * throws when an operator is missing.
 */
export async function runOrtWeb(bytes: Uint8Array, input: string, x: Tensor, output: string): Promise<Float32Array> {
  const web = await import("onnxruntime-web");
  web.env.wasm.numThreads = 1;
  const session = await web.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  try {
    const feed = { [input]: new web.Tensor("float32", Float32Array.from(x.data<"float32">()), x.shape) };
    return (await session.run(feed))[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Creates (and releases) an onnxruntime-web session on `bytes`: its operators exist in the web runtime. */
export async function webSessionIo(bytes: Uint8Array): Promise<{ inputs: readonly string[]; outputs: readonly string[] }> {
  const web = await import("onnxruntime-web");
  web.env.wasm.numThreads = 1;
  const session = await web.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const io = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  await session.release();
  return io;
}
