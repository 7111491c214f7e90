// Exported ONNX models vs our libtorch forward, batch 1, per network (the browser page's stages):
//   node --import tsx bench/onnx.ts
// Times the bundled AU model (224 crop), the 68-point net (112) and the SSD (512): libtorch at
// 1 and 2 threads, onnxruntime-node at 1 and 2, onnxruntime-web's Node build (the browser's wasm
// kernels) at 1 thread and 2. Best of 5 after a 2 s warm-up; prints the load average beside it.
import { loadavg } from "node:os";
import { DEFAULT_MODEL_PATH, loadAuModelFromCheckpoint } from "../src/face/au-model.ts";
import { SsdMobilenetV1 } from "../src/face/detect.ts";
import { FaceLandmark68Net } from "../src/face/landmarks.ts";
import { AU_ONNX_IO, exportAuModel, exportBundledLandmarkNet, exportBundledSsd, LANDMARK_ONNX_IO, SSD_ONNX_IO } from "../src/export/index.ts";
import { manualSeed, noGrad, randn, setNumThreads, type Tensor } from "../src/tensor/index.ts";

process.env.ORT_DISABLE_TELEMETRY = "1"; // onnxruntime-node's telemetry writes files into TMPDIR
const ort = await import("onnxruntime-node");
const web = await import("onnxruntime-web");

/** Best of 5 after a warm-up of >= 2 s: V8 runs wasm on its baseline compiler until it tiers up. */
async function best(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - t0 < 2000; i++) await fn();
  let ms = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

manualSeed(1);
const au = await loadAuModelFromCheckpoint(DEFAULT_MODEL_PATH);
const lm = FaceLandmark68Net.load();
const ssd = SsdMobilenetV1.load();
const nets: { name: string; bytes: Uint8Array; input: string; x: Tensor; torch: () => void }[] = [
  { name: "AU model (bundled, 224 crop)", bytes: exportAuModel(au).bytes, input: AU_ONNX_IO.input, x: randn([1, 3, 224, 224]), torch: () => {} },
  { name: "landmarks68 (112)", bytes: exportBundledLandmarkNet().bytes, input: LANDMARK_ONNX_IO.input, x: randn([1, 3, 112, 112]).mul(0.3), torch: () => {} },
  { name: "SSD-MobileNetV1 (512)", bytes: exportBundledSsd().bytes, input: SSD_ONNX_IO.input, x: randn([1, 3, 512, 512]).clamp(-1, 1), torch: () => {} },
];
nets[0].torch = () => au.predict(nets[0].x).dispose();
nets[1].torch = () => lm.forwardRaw(nets[1].x).dispose();
nets[2].torch = () => { const r = ssd.forwardRaw(nets[2].x); r.boxes.dispose(); r.logits.dispose(); };

console.log(`load average: ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
for (const n of nets) {
  const row: string[] = [];
  for (const threads of [1, 2]) {
    setNumThreads(threads);
    row.push(`libtorch ${threads}t ${(await best(() => noGrad(n.torch))).toFixed(1)} ms`);
  }
  const data = Float32Array.from(n.x.data<"float32">());
  for (const threads of [1, 2]) {
    const s = await ort.InferenceSession.create(n.bytes, { intraOpNumThreads: threads, graphOptimizationLevel: "all" });
    const feed = { [n.input]: new ort.Tensor("float32", data, n.x.shape) };
    row.push(`ort-node ${threads}t ${(await best(() => s.run(feed))).toFixed(1)} ms`);
    await s.release();
  }
  for (const threads of [1, 2]) {
    web.env.wasm.numThreads = threads;
    try {
      const s = await web.InferenceSession.create(n.bytes, { executionProviders: ["wasm"] });
      const feed = { [n.input]: new web.Tensor("float32", data, n.x.shape) };
      row.push(`ort-web wasm ${threads}t ${(await best(() => s.run(feed))).toFixed(1)} ms`);
      await s.release();
    } catch (err) {
      row.push(`ort-web wasm ${threads}t: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  console.log(`${n.name.padEnd(30)} ${row.join(" | ")}`);
}
for (const n of nets) n.x.dispose();
au.dispose?.();
lm.dispose();
ssd.dispose();
process.exit(0); // onnxruntime-web's wasm worker threads would keep the process alive
