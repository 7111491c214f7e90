import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MODEL_PATH, loadAuModelFromCheckpoint, type AuModel } from "../../src/face/au-model.ts";
import { SsdMobilenetV1 } from "../../src/face/detect.ts";
import { FaceLandmark68Net } from "../../src/face/landmarks.ts";
import { AU_ONNX_IO } from "../../src/export/au-model.ts";
import { LANDMARK_ONNX_IO } from "../../src/export/landmarks.ts";
import { SSD_ONNX_IO } from "../../src/export/ssd.ts";
import { runCli } from "../helpers/cli.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { maxAbsDiff, runOrt, runOrtAll, runOrtWeb, seededInput, webSessionIo } from "./helpers.ts";

// One export of the bundled models through the CLI; every test below checks one of its files.
const dir = makeTempDir("aunce-export-");
let model: AuModel;
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const sidecar = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as Record<string, unknown>;

before(async () => {
  model = await loadAuModelFromCheckpoint(DEFAULT_MODEL_PATH);
});
after(() => model.dispose?.());

test("aunce export bundled --format onnx -o dir writes the models, sidecars, licences and a manifest", async (t) => {
  const r = await runCli(t, "export", "bundled", "--format", "onnx", "-o", dir);
  assert.equal(r.code, 0, r.err);
  const expected = ["au-model.onnx", "au-model.json", "landmarks68.onnx", "landmarks68.json", "ssd-mobilenetv1.onnx", "ssd-mobilenetv1.json", "face-api/LICENSE", "face-api/README.md", "yunet/yunet_n_dynamic.onnx", "yunet/LICENSE", "yunet/README.md", "yunet/yunet_n_dynamic.json", "manifest.json"];
  assert.deepEqual(r.out.split("\n"), expected);
  assert.match(r.err, /aunce export: AU model: loading the bundled model/);
  const au = sidecar("au-model.json");
  assert.deepEqual(au.aus, model.aus);
  assert.deepEqual(au.auNames, ["AU01", "AU02", "AU04", "AU06", "AU07", "AU10", "AU12", "AU14", "AU15", "AU17", "AU23", "AU24"]);
  assert.equal(au.inputSize, 224);
  assert.equal(au.networkInputSize, 96);
  assert.deepEqual(au.normalisation, model.normalisation);
  assert.equal((au.alignment as { template: string }).template, "aunce-align-v1");
  assert.deepEqual(au.thresholds, { default: 0.5, perAu: {} });
  assert.match(String(au.licence), /MIT/);
  assert.ok(!JSON.stringify(au).includes(dir) && !JSON.stringify(au).includes("/work/"), "no machine paths in the sidecar");
  assert.match(String(sidecar("landmarks68.json").licence), /MIT.*Vladimir Mandic/);
  assert.match(String(sidecar("yunet/yunet_n_dynamic.json").licence), /Apache License 2\.0/);
  const manifest = sidecar("manifest.json") as { models: { au: string; detectors: Record<string, string> } };
  assert.equal(manifest.models.au, "au-model.json");
  assert.deepEqual(Object.keys(manifest.models.detectors), ["ssd-mobilenetv1", "yunet-n"]);
  assert.deepEqual(file("yunet/yunet_n_dynamic.onnx"), new Uint8Array(readFileSync(new URL("../../assets/yunet/yunet_n_dynamic.onnx", import.meta.url))));
});

test("bundled AU model: ONNX matches predict() to 1e-4 in onnxruntime-node and -web, any batch size", async () => {
  const bytes = file("au-model.onnx");
  for (const [batch, seed] of [[1, 11], [3, 12]]) {
    const x = seededInput([batch, 3, 224, 224], seed);
    const ref = model.predict(x);
    const r = ref.data<"float32">();
    const got = await runOrt(bytes, AU_ONNX_IO.input, x, AU_ONNX_IO.output);
    const web = batch === 1 ? await runOrtWeb(bytes, AU_ONNX_IO.input, x, AU_ONNX_IO.output) : null;
    assert.deepEqual(got.dims, ref.shape);
    x.dispose();
    ref.dispose();
    // Not a vacuous match: the probabilities vary across AUs and samples.
    assert.ok(Math.max(...r) - Math.min(...r) > 0.05, `spread ${Math.max(...r) - Math.min(...r)}`);
    const d = maxAbsDiff(got.data, r);
    assert.ok(d <= 1e-4, `batch ${batch}: max |onnxruntime-node - libtorch| = ${d}`);
    if (web) assert.ok(maxAbsDiff(web, r) <= 1e-4, `max |onnxruntime-web - libtorch| = ${maxAbsDiff(web, r)}`);
  }
});

test("68-point landmark net: ONNX matches forwardRaw() to 1e-4 in onnxruntime-node and -web", async () => {
  const lm = FaceLandmark68Net.load();
  const bytes = file("landmarks68.onnx");
  const x = seededInput([2, 3, LANDMARK_ONNX_IO.size, LANDMARK_ONNX_IO.size], 5);
  const scaled = x.mul(0.3); // the net's inputs are (RGB - mean) / 255: about -0.5..0.5
  const ref = lm.forwardRaw(scaled);
  const r = ref.data<"float32">();
  const got = await runOrt(bytes, LANDMARK_ONNX_IO.input, scaled, LANDMARK_ONNX_IO.output);
  const web = await runOrtWeb(bytes, LANDMARK_ONNX_IO.input, scaled, LANDMARK_ONNX_IO.output);
  for (const t of [x, scaled, ref]) t.dispose();
  lm.dispose();
  assert.deepEqual(got.dims, [2, 136]);
  assert.ok(maxAbsDiff(got.data, r) <= 1e-4, `max |onnxruntime-node - libtorch| = ${maxAbsDiff(got.data, r)}`);
  assert.ok(maxAbsDiff(web, r) <= 1e-4, `max |onnxruntime-web - libtorch| = ${maxAbsDiff(web, r)}`);
});

test("SSD-MobileNetV1: ONNX matches forwardRaw() to 1e-4, anchors included", async () => {
  const ssd = SsdMobilenetV1.load();
  const bytes = file("ssd-mobilenetv1.onnx");
  const x = seededInput([1, 3, SSD_ONNX_IO.size, SSD_ONNX_IO.size], 7);
  const scaled = x.mul(0.5).clamp(-1, 1); // -1..1 as preprocess makes it
  const ref = ssd.forwardRaw(scaled);
  const out = await runOrtAll(bytes, SSD_ONNX_IO.input, scaled);
  const [boxes, logits, anchors] = [out[SSD_ONNX_IO.boxes], out[SSD_ONNX_IO.logits], out[SSD_ONNX_IO.anchors]];
  const dBox = maxAbsDiff(boxes.data, ref.boxes.data<"float32">());
  const dCls = maxAbsDiff(logits.data, ref.logits.data<"float32">());
  // Zero encodings decode to the anchors themselves: the exported anchors are detect()'s.
  const fromAnchors = ssd.decode(new Float32Array(SSD_ONNX_IO.numAnchors * 4));
  for (const t of [x, scaled, ref.boxes, ref.logits]) t.dispose();
  ssd.dispose();
  assert.deepEqual(boxes.dims, [1, SSD_ONNX_IO.numAnchors, 4]);
  assert.deepEqual(logits.dims, [1, SSD_ONNX_IO.numAnchors, 3]);
  assert.ok(maxAbsDiff(fromAnchors, anchors.data) < 1e-6);
  assert.ok(dBox <= 1e-4 && dCls <= 1e-4, `max |onnx - libtorch|: boxes ${dBox}, logits ${dCls}`);
});

test("onnxruntime-web (its Node build, the browser's wasm kernels) opens every exported model", async () => {
  assert.deepEqual(await webSessionIo(file("ssd-mobilenetv1.onnx")), { inputs: ["x"], outputs: ["box_encodings", "class_logits", "anchors"] });
  const yunet = await webSessionIo(file("yunet/yunet_n_dynamic.onnx"));
  assert.deepEqual(yunet.inputs, ["input"]);
  assert.equal(yunet.outputs.length, 12);
  assert.deepEqual(await webSessionIo(file("au-model.onnx")), { inputs: ["crops"], outputs: ["probabilities"] });
  assert.deepEqual(await webSessionIo(file("landmarks68.onnx")), { inputs: ["x"], outputs: ["points"] });
});
