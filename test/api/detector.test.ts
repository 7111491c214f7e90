import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createAuDetector, decodeImage, liveTensors, LinearProbeAuModel, type DetectedFace } from "../../src/index.ts";
import { resolveAuModel } from "../../src/api/detector.ts";
import type { AuModel } from "../../src/face/au-model.ts";
import { equal, manualSeed, rand, tidy } from "../../src/tensor/index.ts";

const file = fileURLToPath(new URL("../fixtures/face/group2.jpg", import.meta.url));

test("createAuDetector: path, buffer and decoded frame give the same typed faces; dispose frees everything", async () => {
  const before = liveTensors();
  const d = await createAuDetector({ untrainedBackbone: "resnet_tiny", thresholds: { 12: 0 }, minConfidence: 0.6 });
  assert.deepEqual(d.aus, [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]);
  assert.match(d.modelDescription, /untrained/);
  const a = await d.detect(file);
  const b = await d.detect(readFileSync(file));
  const c = await d.detect(await decodeImage(file));
  assert.equal(a.length, 3);
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  const f: DetectedFace = a[0];
  assert.equal(f.landmarks.length, 68);
  assert.ok(f.confidence > 0.6 && f.confidence <= 1);
  assert.equal(f.aus.length, 12);
  assert.deepEqual(f.aus.map((x) => x.name).slice(0, 3), ["AU01", "AU02", "AU04"]);
  assert.ok(f.aus.find((x) => x.au === 12)!.present, "threshold 0 makes AU12 present");
  assert.ok(d.times.detect > 0 && d.times.au > 0);
  d.dispose();
  d.dispose(); // idempotent
  await assert.rejects(d.detect(file), /after dispose/);
  assert.equal(liveTensors(), before);
});

test("createAuDetector with a caller's AuModel leaves the model alive; unreadable input names the file", async () => {
  manualSeed(2);
  const model = new LinearProbeAuModel("resnet_tiny", [6, 12]);
  const d = await createAuDetector({ model });
  const faces = await d.detect(file);
  assert.deepEqual(faces[0].aus.map((x) => x.name), ["AU06", "AU12"]);
  await assert.rejects(d.detect("/nonexistent/x.jpg"), /\/nonexistent\/x\.jpg: cannot read file \(ENOENT\)/);
  await assert.rejects(d.detect(new Uint8Array([1, 2, 3])), /<buffer>: not a readable image/);
  d.dispose();
  assert.equal(model.head.weight.isDisposed, false);
  model.dispose();
});

test("the untrained stand-in comes from untrainedSeed (default 0), whatever the generator's state, and leaves that state alone", async () => {
  const weights = (m: AuModel) => [...(m as LinearProbeAuModel).stateDict().values()];
  const same = (a: AuModel, b: AuModel) => weights(a).every((t, i) => equal(t, weights(b)[i]));
  const draw = () => tidy(() => Array.from(rand([4]).data() as Float32Array));
  manualSeed(5);
  const a = await resolveAuModel({ untrainedBackbone: "resnet_tiny" });
  const afterA = draw();
  manualSeed(6);
  const b = await resolveAuModel({ untrainedBackbone: "resnet_tiny", untrainedSeed: 0 });
  const c = await resolveAuModel({ untrainedBackbone: "resnet_tiny", untrainedSeed: 1 });
  assert.ok(same(a, b), "same seed, same network");
  assert.ok(!same(a, c), "another seed, another network");
  manualSeed(5);
  assert.deepEqual(afterA, draw(), "the caller's random stream is as if no network had been built");
  await assert.rejects(resolveAuModel({ untrainedBackbone: "resnet_tiny", untrainedSeed: -1 }), /untrainedSeed must be an integer >= 0, got -1/);
  for (const m of [a, b, c]) m.dispose?.();
});

test("without a model the detector uses the bundled SynthAU-trained model", async () => {
  const d = await createAuDetector({});
  try {
    assert.match(d.modelDescription, /synthau-megraphau-faceapi-expression\.safetensors/);
    assert.deepEqual(d.aus, [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]);
    const faces = await d.detect(fileURLToPath(new URL("../fixtures/face/synth/M011_T1_110.jpg", import.meta.url)));
    assert.equal(faces.length, 1);
    assert.ok(faces[0].aus.every((a) => a.probability >= 0 && a.probability <= 1));
  } finally {
    d.dispose();
  }
});

test("track(): consecutive frames keep one id, the detector runs every detectEvery frames, bad frames are refused", async () => {
  const { movingFaceFrames } = await import("../face/helpers.ts");
  const frames = await movingFaceFrames(6);
  const d = await createAuDetector({ untrainedBackbone: "resnet_tiny", detectEvery: 3 });
  try {
    const before = d.times.detect;
    const perFrame: number[] = [];
    let last = before;
    const faces = frames.map((f) => {
      const r = d.track(f);
      perFrame.push(d.times.detect - last);
      last = d.times.detect;
      return r;
    });
    assert.ok(faces.every((r) => r.length === 1 && r[0].id === 0), "one face, id 0 throughout");
    assert.deepEqual(perFrame.map((ms) => ms > 0), [true, false, false, true, false, false], "detector on frames 0 and 3 only");
    // A detect() on the same frame finds the same face where track() followed it.
    const [ref] = await d.detect(frames[4]);
    assert.ok(Math.abs(ref.box.x - faces[4][0].box.x) < 8 && Math.abs(ref.box.width - faces[4][0].box.width) < 12);
    assert.equal(ref.id, undefined);
    d.resetTracking();
    assert.equal(d.track(frames[0])[0].id, 0);
    assert.throws(() => d.track({ width: 10, height: 10, data: new Uint8Array(5) }), /expected a decoded RGB frame/);
  } finally {
    d.dispose();
  }
  assert.throws(() => d.track(frames[0]), /track\(\) after dispose/);
});

test("createAuDetector validates its options like the CLI, before loading anything", async () => {
  const live = liveTensors();
  const opts = { untrainedBackbone: "resnet_tiny" };
  await assert.rejects(createAuDetector({ ...opts, thresholds: { 12: 7 } }), /createAuDetector: thresholds\[12\] must be a number in \[0, 1\], got 7/);
  await assert.rejects(createAuDetector({ ...opts, thresholds: { 12: Number.NaN } }), /thresholds\[12\] must be a number in \[0, 1\], got null/);
  await assert.rejects(createAuDetector({ ...opts, thresholds: { AU12: 0.4 } as never }), /thresholds key 'AU12' is not an AU number \(e\.g\. 12 for AU12\)/);
  await assert.rejects(createAuDetector({ ...opts, defaultThreshold: -0.1 }), /defaultThreshold must be a number in \[0, 1\], got -0\.1/);
  await assert.rejects(createAuDetector({ ...opts, minConfidence: 1 }), /minConfidence must be a number between 0 and 1, got 1/);
  await assert.rejects(createAuDetector({ ...opts, maxFaces: 0 }), /maxFaces must be a whole number >= 1, got 0/);
  await assert.rejects(createAuDetector({ ...opts, detectEvery: 2.5 }), /detectEvery must be a whole number >= 1, got 2\.5/);
  await assert.rejects(createAuDetector({ ...opts, mirrorAverage: "yes" as never }), /mirrorAverage must be true or false, got "yes"/);
  await assert.rejects(createAuDetector({ ...opts, detector: "mtcnn" as never }), /createAuDetector: detector must be one of yunet, ssd, got "mtcnn"/);
  await assert.rejects(createAuDetector({ ...opts, nmsThreshold: 0 }), /createAuDetector: nmsThreshold must be a number in \(0, 1\], got 0/);
  await assert.rejects(createAuDetector({ ...opts, detectorSize: 20 }), /createAuDetector: detectorSize must be a whole number >= 32, got 20/);
  assert.equal(liveTensors(), live, "nothing was loaded");
  await assert.rejects(createAuDetector({ ...opts, thresholds: { 12: 0.4, 99: 0.5 } }), /thresholds name AU\(s\) 99, which the model does not predict \(it predicts 1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24\)/);
  assert.equal(liveTensors(), live, "the model loaded for the check was freed");
  const d = await createAuDetector({ ...opts, thresholds: { 12: 1, 6: 0 }, defaultThreshold: 0 });
  d.dispose();
});

test("createAuDetector: YuNet by default with its 5 key points, the SSD on request, same faces in the group photo", async () => {
  const img = await decodeImage(fileURLToPath(new URL("../fixtures/face/group.jpg", import.meta.url)));
  const found: Record<string, DetectedFace[]> = {};
  for (const detector of [undefined, "ssd"] as const) {
    const d = await createAuDetector({ untrainedBackbone: "resnet_tiny", detector });
    found[detector ?? "default"] = await d.detect(img);
    d.dispose();
  }
  assert.equal(found.default.length, 4);
  assert.equal(found.ssd.length, 4);
  assert.ok(found.default.every((f) => f.keypoints?.length === 5) && found.ssd.every((f) => f.keypoints === undefined));
  // Each YuNet face overlaps one SSD face (the two nets frame faces differently: IoU > 0.4).
  for (const f of found.default) {
    const best = Math.max(...found.ssd.map((g) => {
      const a = f.box, b = g.box;
      const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)), iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
      return (ix * iy) / (a.width * a.height + b.width * b.height - ix * iy);
    }));
    assert.ok(best > 0.4, `YuNet face at ${f.box.x.toFixed(0)},${f.box.y.toFixed(0)}: best IoU with an SSD face ${best.toFixed(2)}`);
  }
});
