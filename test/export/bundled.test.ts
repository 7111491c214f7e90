import { after, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MODEL_PATH, loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { FaceLandmark68Net } from "../../src/face/landmarks.ts";
import { AU_ONNX_IO, exportAuModel } from "../../src/export/au-model.ts";
import { LANDMARK_ONNX_IO, exportBundledLandmarkNet } from "../../src/export/landmarks.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { SsdMobilenetV1 } from "../../src/face/detect.ts";
import { SSD_ONNX_IO, exportBundledSsd } from "../../src/export/ssd.ts";
import { maxAbsDiff, runOrt, runOrtAll, runOrtWeb, seededInput } from "./helpers.ts";

const model = await loadAuModelFromCheckpoint(DEFAULT_MODEL_PATH);
const lm = FaceLandmark68Net.load();
after(() => {
  model.dispose?.();
  lm.dispose();
});

test("bundled AU model: ONNX (onnxruntime-node) matches predict() to 1e-4, any batch size", async () => {
  const before = liveTensors();
  const { bytes, inputSize, networkSize, opTypes } = exportAuModel(model);
  assert.equal(liveTensors(), before, "export leaves no tensors behind");
  assert.equal(inputSize, 224);
  assert.equal(networkSize, 96);
  assert.ok(opTypes.has("TopK"), `ops: ${[...opTypes]}`);
  for (const [batch, seed] of [[1, 11], [3, 12]]) {
    const x = seededInput([batch, 3, 224, 224], seed);
    const ref = model.predict(x);
    const got = await runOrt(bytes, AU_ONNX_IO.input, x, AU_ONNX_IO.output);
    assert.deepEqual(got.dims, ref.shape);
    const d = maxAbsDiff(got.data, ref.data<"float32">());
    // Not a vacuous match: the probabilities vary across AUs and samples.
    const r = ref.data<"float32">();
    assert.ok(Math.max(...r) - Math.min(...r) > 0.05, `spread ${Math.max(...r) - Math.min(...r)}`);
    x.dispose();
    ref.dispose();
    assert.ok(d <= 1e-4, `batch ${batch}: max |onnx - libtorch| = ${d}`);
  }
});

test("68-point landmark net: ONNX matches forwardRaw() to 1e-4", async () => {
  const { bytes } = exportBundledLandmarkNet();
  const x = seededInput([2, 3, LANDMARK_ONNX_IO.size, LANDMARK_ONNX_IO.size], 5);
  const scaled = x.mul(0.3); // the net's inputs are (RGB - mean) / 255: about -0.5..0.5
  const ref = lm.forwardRaw(scaled);
  const got = await runOrt(bytes, LANDMARK_ONNX_IO.input, scaled, LANDMARK_ONNX_IO.output);
  assert.deepEqual(got.dims, [2, 136]);
  const d = maxAbsDiff(got.data, ref.data<"float32">());
  const web = await runOrtWeb(bytes, LANDMARK_ONNX_IO.input, scaled, LANDMARK_ONNX_IO.output);
  const dWeb = maxAbsDiff(web, ref.data<"float32">());
  for (const t of [x, scaled, ref]) t.dispose();
  assert.ok(d <= 1e-4, `max |onnx - libtorch| = ${d}`);
  assert.ok(dWeb <= 1e-4, `max |onnxruntime-web - libtorch| = ${dWeb}`);
});

test("SSD-MobileNetV1: ONNX matches forwardRaw() to 1e-4, anchors included", async () => {
  const ssd = SsdMobilenetV1.load();
  const { bytes, opTypes } = exportBundledSsd();
  const x = seededInput([1, 3, SSD_ONNX_IO.size, SSD_ONNX_IO.size], 7);
  const scaled = x.mul(0.5).clamp(-1, 1); // -1..1 as preprocess makes it
  const ref = ssd.forwardRaw(scaled);
  const out = await runOrtAll(bytes, SSD_ONNX_IO.input, scaled);
  const [boxes, logits, anchors] = [out[SSD_ONNX_IO.boxes], out[SSD_ONNX_IO.logits], out[SSD_ONNX_IO.anchors]];
  assert.deepEqual(boxes.dims, [1, SSD_ONNX_IO.numAnchors, 4]);
  assert.deepEqual(logits.dims, [1, SSD_ONNX_IO.numAnchors, 3]);
  const dBox = maxAbsDiff(boxes.data, ref.boxes.data<"float32">());
  const dCls = maxAbsDiff(logits.data, ref.logits.data<"float32">());
  // The decoded anchors give back what detect() decodes with (zero encodings = the anchor itself).
  const zero = new Float32Array(SSD_ONNX_IO.numAnchors * 4);
  assert.ok(maxAbsDiff(ssd.decode(zero), anchors.data) < 1e-6);
  for (const t of [x, scaled, ref.boxes, ref.logits]) t.dispose();
  ssd.dispose();
  assert.ok(!opTypes.has("Resize"));
  assert.ok(dBox <= 1e-4 && dCls <= 1e-4, `max |onnx - libtorch|: boxes ${dBox}, logits ${dCls}`);
});
