import { test } from "node:test";
import assert from "node:assert/strict";
import { BP4D_AUS, GraphAuModel, LinearProbeAuModel } from "../../src/face/au-model.ts";
import { AU_INPUT } from "../../src/face/align.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { BatchNorm1d, BatchNorm2d, init, type Module } from "../../src/nn/index.ts";
import { AU_ONNX_IO, exportAuEncoder, exportAuModel } from "../../src/export/au-model.ts";
import { liveTensors, manualSeed, noGrad } from "../../src/tensor/index.ts";
import { maxAbsDiff, runOrt, runOrtWeb, seededInput } from "./helpers.ts";

const norm = { mean: [...AU_INPUT.mean], std: [...AU_INPUT.std] };

/** Gives every batch norm seeded, non-trivial statistics and affine terms, so folding is exercised. */
function perturbBatchNorms(m: Module): void {
  noGrad(() => {
    for (const [, mod] of m.namedModules()) {
      if (!(mod instanceof BatchNorm1d || mod instanceof BatchNorm2d)) continue;
      init.normal_(mod.running_mean!, 0, 0.2);
      init.uniform_(mod.running_var!, 0.5, 1.5);
      init.uniform_(mod.weight!, 0.7, 1.3);
      init.normal_(mod.bias!, 0, 0.1);
    }
  });
}

async function checkAuModel(model: GraphAuModel | LinearProbeAuModel, label: string): Promise<void> {
  const before = liveTensors();
  const { bytes } = exportAuModel(model);
  assert.equal(liveTensors(), before, `${label}: export leaves no tensors`);
  const x = seededInput([2, 3, 224, 224], 21);
  const ref = model.predict(x);
  const r = ref.data<"float32">();
  const got = await runOrt(bytes, AU_ONNX_IO.input, x, AU_ONNX_IO.output);
  const web = await runOrtWeb(bytes, AU_ONNX_IO.input, x, AU_ONNX_IO.output);
  x.dispose();
  ref.dispose();
  assert.deepEqual(got.dims, [2, model.aus.length]);
  assert.ok(Math.max(...r) - Math.min(...r) > 1e-3, `${label}: outputs vary (${Math.min(...r)}..${Math.max(...r)})`);
  assert.ok(maxAbsDiff(got.data, r) <= 1e-4, `${label}: max |onnxruntime-node - libtorch| = ${maxAbsDiff(got.data, r)}`);
  assert.ok(maxAbsDiff(web, r) <= 1e-4, `${label}: max |onnxruntime-web - libtorch| = ${maxAbsDiff(web, r)}`);
}

test("Swin (tiny test variant, shifted windows, patch merging) + ME-GraphAU head: ONNX matches predict() to 1e-4", async () => {
  manualSeed(31);
  const net = createAuModel({ backbone: "swin_tiny_test", numAus: 12, method: "megraphau" });
  perturbBatchNorms(net);
  const model = new GraphAuModel(net, BP4D_AUS, 64, norm, "swin_tiny_test (test)");
  try {
    await checkAuModel(model, "swin_tiny_test");
  } finally {
    model.dispose();
  }
});

test("ResNet (tiny) + ME-GraphAU head at the 224 crop (no resize) and with neighbours K = 2", async () => {
  manualSeed(32);
  const net = createAuModel({ backbone: "resnet_tiny", numAus: 5, method: "megraphau", neighbours: 2 });
  perturbBatchNorms(net);
  const model = new GraphAuModel(net, [1, 2, 4, 6, 12], 224, norm, "resnet_tiny (test)");
  try {
    await checkAuModel(model, "resnet_tiny K=2");
  } finally {
    model.dispose();
  }
});

for (const [backbone, size] of [["faceapi_expression", 112], ["faceapi_recognition", 150], ["faceapi_recognition", 112]] as const) {
  test(`${backbone} (face-api weights, input affine, TF same pads${backbone === "faceapi_recognition" ? ", down-block zero pads" : ""}) + ME-GraphAU head at ${size}: ONNX matches predict() to 1e-4`, async () => {
    manualSeed(35);
    const net = createAuModel({ backbone, numAus: 12, method: "megraphau" });
    perturbBatchNorms(net);
    const model = new GraphAuModel(net, BP4D_AUS, size, norm, `${backbone} (test)`);
    try {
      await checkAuModel(model, `${backbone} at ${size}`);
    } finally {
      model.dispose();
    }
  });
}

test("linear-probe AU model (ResNet + Linear + sigmoid): ONNX matches predict() to 1e-4", async () => {
  manualSeed(33);
  const model = new LinearProbeAuModel("resnet_tiny", BP4D_AUS);
  perturbBatchNorms(model);
  model.refreeze();
  try {
    await checkAuModel(model, "linear probe");
  } finally {
    model.dispose();
  }
});

test("AUNCE encoder (embeddings head): ONNX matches forward() to 1e-4; exportAuModel refuses it", async () => {
  manualSeed(34);
  const net = createAuModel({ backbone: "resnet_tiny", numAus: 4 });
  perturbBatchNorms(net);
  net.eval();
  try {
    const wrapped = new GraphAuModel(net, [1, 2, 4, 6], 64, norm, "encoder");
    assert.throws(() => exportAuModel(wrapped), /an AUNCE encoder outputs embeddings, not probabilities/);
    const { bytes } = exportAuEncoder(net, 64);
    const x = seededInput([2, 3, 64, 64], 22);
    const ref = noGrad(() => net.forward(x));
    const got = await runOrt(bytes, "images", x, "embeddings");
    assert.deepEqual(got.dims, ref.shape);
    const d = maxAbsDiff(got.data, ref.data<"float32">());
    x.dispose();
    ref.dispose();
    assert.ok(d <= 1e-4, `max |onnx - libtorch| = ${d}`);
  } finally {
    net.dispose();
  }
});
