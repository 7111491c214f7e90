import { after, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_MODEL_PATH, loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { FaceLandmark68Net } from "../../src/face/landmarks.ts";
import { AU_ONNX_IO, exportAuModel } from "../../src/export/au-model.ts";
import { LANDMARK_ONNX_IO, exportBundledLandmarkNet } from "../../src/export/landmarks.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { maxAbsDiff, runOrt, seededInput } from "./helpers.ts";

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
  for (const t of [x, scaled, ref]) t.dispose();
  assert.ok(d <= 1e-4, `max |onnx - libtorch| = ${d}`);
});
