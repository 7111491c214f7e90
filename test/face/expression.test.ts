import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EXPRESSION_LABELS, expressionBox, FaceExpressionNet } from "../../src/face/expression.ts";
import { decodeImage } from "../../src/face/image.ts";
import { readTfWeights, faceApiAssetsDir } from "../../src/face/weights.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { fx } from "./helpers.ts";

interface RefFace { box: number[]; alignedBox: number[]; expressions: number[] }
const ref = JSON.parse(readFileSync(fx("faceapi-expressions.json"), "utf8")) as { labels: string[]; images: { file: string; faces: RefFace[] }[] };
const net = FaceExpressionNet.load();
after(() => net.dispose());

test("expression port reproduces face-api's 7 probabilities on 22 real faces (given face-api's boxes)", async () => {
  assert.deepEqual(ref.labels, [...EXPRESSION_LABELS]);
  let faces = 0, worst = 0;
  for (const im of ref.images) {
    const img = await decodeImage(fx(im.file.split("/").pop()!));
    const boxes = im.faces.map((f) => ({ x: f.alignedBox[0], y: f.alignedBox[1], width: f.alignedBox[2], height: f.alignedBox[3], score: 1 }));
    const before = liveTensors();
    const res = net.classify(img, boxes);
    assert.equal(liveTensors(), before);
    res.forEach((r, f) => {
      faces++;
      const want = im.faces[f].expressions;
      const topWant = EXPRESSION_LABELS[want.indexOf(Math.max(...want))];
      assert.equal(r.top, topWant, `${im.file} face ${f}`);
      EXPRESSION_LABELS.forEach((l, i) => { worst = Math.max(worst, Math.abs(r.probabilities[l] - want[i])); });
    });
  }
  assert.equal(faces, 22);
  // float32 on both sides, different kernels (oneDNN vs tfjs wasm): probabilities agree to 1e-4
  // (measured worst 1.9e-6).
  assert.ok(worst < 1e-4, `worst probability difference ${worst}`);
});

test("expressionBox is the landmarks' bounding box padded by 20%", () => {
  const pts = new Float32Array(136);
  for (let i = 0; i < 68; i++) { pts[2 * i] = 10 + (i % 11) * 10; pts[2 * i + 1] = 20 + (i % 6) * 10; }
  assert.deepEqual(expressionBox(pts), { x: -10, y: 10, width: 140, height: 70, score: 1 });
});

test("FaceExpressionNet refuses weights whose classifier is not 7 wide", () => {
  const w = readTfWeights(`${faceApiAssetsDir()}/face_landmark_68_model-weights_manifest.json`);
  assert.throws(() => new FaceExpressionNet(w), /'fc\/weights' must be \[256, 7\], got \[256,136\]/);
});
