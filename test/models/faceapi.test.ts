// The trainable face-api backbones against the originals: the expression feature extractor against
// the frozen port in src/face (itself checked against tfjs) through the expression net's FC, and the
// recognition net against face-api's own descriptors (fixture: scripts/fixtures/faceapi_recognition.mjs).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AU_INPUT_NORMALISATION, FaceApiFeatureExtractor, FaceApiRecognitionNet } from "../../src/models/backbones/faceapi.ts";
import { createAuModel, createModel, modelInfo } from "../../src/models/registry.ts";
import { MEAN, STD } from "../../src/data/index.ts";
import { FaceLandmark68Net } from "../../src/face/landmarks.ts";
import { decodeImage } from "../../src/face/image.ts";
import { faceApiAssetsDir, readTfWeights } from "../../src/face/weights.ts";
import { fromArray, liveTensors, noGrad, randn, tidy, type Tensor } from "../../src/tensor/index.ts";
import { fx } from "../face/helpers.ts";

const mean = fromArray(Float32Array.from(MEAN), [1, 3, 1, 1]);
const std = fromArray(Float32Array.from(STD), [1, 3, 1, 1]);
after(() => { mean.dispose(); std.dispose(); });

/** RGB in 0..1 [B,3,H,W] -> the AU pipeline's normalisation. */
const auNormalise = (rgb01: Tensor) => tidy(() => rgb01.sub(mean).div(std));

test("the backbones' default input normalisation is the data pipeline's (aunce-spec §5)", () => {
  assert.deepEqual([...AU_INPUT_NORMALISATION.mean], [...MEAN]);
  assert.deepEqual([...AU_INPUT_NORMALISATION.std], [...STD]);
});

test("faceapi_expression: tokens [B,49,256] at 112 whose mean through the expression FC gives the frozen net's 7 logits on real faces", async () => {
  const weights = readTfWeights(join(faceApiAssetsDir(), FaceApiFeatureExtractor.MANIFEST));
  const frozen = new FaceLandmark68Net(weights);
  const bb = createModel("faceapi_expression");
  assert.ok(bb instanceof FaceApiFeatureExtractor);
  bb.eval();
  const ref = JSON.parse(readFileSync(fx("faceapi-expressions.json"), "utf8")) as { images: { file: string; faces: { alignedBox: number[] }[] }[] };
  const im = ref.images.find((i) => i.file.endsWith("group.jpg"))!;
  const img = await decodeImage(fx("group.jpg"));
  const boxes = im.faces.slice(0, 4).map((f) => ({ x: f.alignedBox[0], y: f.alignedBox[1], width: f.alignedBox[2], height: f.alignedBox[3], score: 1 }));
  const before = liveTensors();
  let worst = 0, scale = 0;
  noGrad(() => tidy(() => {
    const { x } = frozen.preprocess(img, boxes); // (RGB*255 - mean RGB) / 255
    const want = frozen.forwardRaw(x).data<"float32">();
    // The same pixels as the AU pipeline would feed them: RGB 0..1, normalised.
    const rgb01 = x.add(fromArray(Float32Array.from([122.782, 117.001, 104.298].map((v) => v / 255)), [1, 3, 1, 1]));
    const tokens = bb.forwardTokens(auNormalise(rgb01));
    assert.deepEqual(tokens.shape, [boxes.length, 49, 256]);
    const fcW = fromArray(weights.get("fc/weights")!.data, [256, 7]), fcB = fromArray(weights.get("fc/bias")!.data, [7]);
    const got = tokens.mean([1]).matmul(fcW).add(fcB).data<"float32">();
    for (let i = 0; i < want.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
  }));
  assert.equal(liveTensors(), before);
  // float32 both sides, different conv kernels (oneDNN frozen vs libtorch's): logits of size ~10
  // agree to 5e-5 (measured worst 8.6e-6).
  assert.ok(scale > 1, `logits are not trivial (max |logit| ${scale})`);
  assert.ok(worst < 5e-5, `worst logit difference ${worst}`);
  frozen.dispose();
  bb.dispose();
});

interface RecFace { file: string; pixels: string; descriptor: number[] }
const recRef = JSON.parse(readFileSync(fx("faceapi-recognition.json"), "utf8")) as { size: number; faces: RecFace[] };

test("faceapi_recognition: face-api's 128-D descriptors of two real face crops, to float32 tolerance; tokens 2x2 at 150, 1x1 at 112", () => {
  const net = createModel("faceapi_recognition");
  assert.ok(net instanceof FaceApiRecognitionNet);
  net.eval();
  const s = recRef.size;
  const before = liveTensors();
  noGrad(() => tidy(() => {
    for (const f of recRef.faces) {
      const hwc = Buffer.from(f.pixels, "base64");
      assert.equal(hwc.length, s * s * 3);
      const chw = new Float32Array(3 * s * s);
      for (let i = 0; i < s * s; i++) for (let c = 0; c < 3; c++) chw[c * s * s + i] = hwc[3 * i + c] / 255;
      const d: Float32Array = net.descriptor(auNormalise(fromArray(chw, [1, 3, s, s]))).data<"float32">();
      assert.equal(d.length, 128);
      let worst = 0, dot = 0, n1 = 0, n2 = 0;
      for (let i = 0; i < 128; i++) {
        worst = Math.max(worst, Math.abs(d[i] - f.descriptor[i]));
        dot += d[i] * f.descriptor[i]; n1 += d[i] ** 2; n2 += f.descriptor[i] ** 2;
      }
      // tfjs (wasm) vs libtorch, float32, ~30 convs deep: entries of size ~0.1 agree to 3e-6
      // (measured worst 3.0e-7 on both faces).
      assert.ok(worst < 3e-6, `${f.file}: worst descriptor difference ${worst}`);
      assert.ok(dot / Math.sqrt(n1 * n2) > 0.999999, `${f.file}: cosine ${dot / Math.sqrt(n1 * n2)}`);
    }
    assert.deepEqual(net.forwardTokens(randn([2, 3, 150, 150])).shape, [2, 4, 256]);
    assert.deepEqual(net.forwardTokens(randn([1, 3, 112, 112])).shape, [1, 1, 256]);
  }));
  assert.equal(liveTensors(), before);
  assert.equal(net.mapSize(150), 2);
  assert.equal(net.mapSize(112), 1);
  assert.throws(() => noGrad(() => net.forwardTokens(randn([1, 3, 64, 64])).dispose()), /too small/);
  net.dispose();
});

test("registry: face-api backbones are pretrained by construction, ME-GraphAU width 256 -> 128; random init only on request", () => {
  for (const name of ["faceapi_expression", "faceapi_recognition"]) {
    const info = modelInfo(name);
    assert.equal(info.family, "faceapi");
    assert.equal(info.pretrainedByConstruction, true);
    const net = createAuModel({ backbone: name, numAus: 6, method: "megraphau" });
    assert.equal(net.global_linear.fc.weight.shape[0], 128);
    net.dispose();
  }
  assert.throws(() => createModel("faceapi_expression", { numClasses: 7 }), /feature backbone only/);
  // pretrained false: same layout, other values (the weights really come from the file otherwise).
  const a = new FaceApiFeatureExtractor(), b = new FaceApiFeatureExtractor({ pretrained: false });
  assert.deepEqual([...a.stateDict().keys()], [...b.stateDict().keys()]);
  assert.notDeepEqual(a.dense3.conv3.pointwise.weight.data(), b.dense3.conv3.pointwise.weight.data());
  assert.ok(![...a.stateDict().keys()].some((k) => k.startsWith("input_")), "the normalisation buffers stay out of state dicts");
  a.dispose();
  b.dispose();
});
