/**
 * The browser build's checks that need no browser: createAuDetector's option checks (Node's, before
 * anything loads) and the AU sidecar's parsing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSidecar } from "../../src/web/models.ts";
import { createAuDetector, createFaceFinder, ModelLoadError } from "../../src/web/index.ts";

const models = { detector: "/m/yunet.onnx", landmarks: "/m/l.onnx", au: "/m/au.onnx", sidecar: "/m/au.json" };

test("createAuDetector refuses bad options before loading anything, naming the option", async () => {
  await assert.rejects(createAuDetector({ models, detector: "ssd" as "yunet" }), /runs the "yunet" detector only, got "ssd"/);
  await assert.rejects(createAuDetector({ models, minConfidence: 1.5 }), /minConfidence must be a number between 0 and 1, got 1.5/);
  await assert.rejects(createAuDetector({ models, thresholds: { 12: 2 } }), /thresholds\[12\] must be a number in \[0, 1\], got 2/);
  await assert.rejects(createAuDetector({ models, detectEvery: 0 }), /detectEvery must be a whole number >= 1, got 0/);
  await assert.rejects(createAuDetector({ models, mirrorAverage: "yes" as never }), /mirrorAverage must be true or false, got "yes"/);
  await assert.rejects(createAuDetector({ models, nmsThreshold: 0 }), /nmsThreshold must be a number in \(0, 1\], got 0/);
  await assert.rejects(createAuDetector({ models, backend: "gl" as "wasm" }), /backend must be "auto", "wasm" or "webgpu", got "gl"/);
  await assert.rejects(createAuDetector({ models: { ...models, au: 3 as unknown as string } }), /models.au must be a URL string, got 3/);
  await assert.rejects(createAuDetector({ models: { ...models, geometry: 3 as unknown as string } }), /models.geometry must be a URL string when given, got 3/);
  await assert.rejects(createFaceFinder({ detector: "/m/y.onnx", detectorSize: 16 }), /createFaceFinder: detectorSize must be a whole number >= 32, got 16/);
});

test("parseSidecar reads AU names or numbers, thresholds, template, input size and normalisation", () => {
  const s = parseSidecar("/m/au.json", { aus: ["AU01", "AU12", 4], thresholds: { AU12: 0.4, 4: 0.7 }, template: { version: "aunce-align-v1" }, input: { size: 112 }, normalisation: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
  assert.deepEqual(s.aus, [1, 12, 4]);
  assert.deepEqual(s.thresholds, { 12: 0.4, 4: 0.7 });
  assert.equal(s.template, "aunce-align-v1");
  assert.equal(s.inputSize, 112);
  assert.deepEqual([s.mean, s.std], [[0.5, 0.5, 0.5], [0.25, 0.25, 0.25]]);
  const d = parseSidecar("/m/au.json", { aus: [6] });
  assert.deepEqual([d.inputSize, d.mean, d.std, d.template], [224, [0.4914, 0.4822, 0.4465], [0.2023, 0.1994, 0.201], null]);
});

test("parseSidecar errors name the URL and what is wrong", () => {
  const bad: [unknown, RegExp][] = [
    [[1, 2], /the sidecar is not a JSON object/],
    [{}, /no 'aus' list/],
    [{ aus: ["AU01", "smile"] }, /not AU numbers: \["smile"\]/],
    [{ aus: [1], input: { size: 0 } }, /input size must be a whole number, got 0/],
    [{ aus: [1], normalisation: { std: [1, 0, 1] } }, /std must be positive/],
    [{ aus: [1], normalisation: { mean: [1, 2] } }, /mean must be 3 numbers/],
  ];
  for (const [json, re] of bad) {
    assert.throws(() => parseSidecar("/m/au.json", json), (e: unknown) => e instanceof ModelLoadError && e.url === "/m/au.json" && re.test(e.message) && /^cannot load the model at \/m\/au\.json: /.test(e.message));
  }
});
