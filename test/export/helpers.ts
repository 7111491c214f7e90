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

/** Runs ONNX `bytes` on one float32 input; returns the named output's values and dims. */
export async function runOrt(bytes: Uint8Array, input: string, x: Tensor, output: string): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", intraOpNumThreads: 1 });
  try {
    const feed = { [input]: new ort.Tensor("float32", Float32Array.from(x.data<"float32">()), x.shape) };
    const out = (await session.run(feed))[output];
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

/** Largest |a - b| (same lengths asserted by the caller). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export { fromArray };
