import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultModelPath, loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { DEFAULT_GEOMETRY_MODEL_PATH, geometryProbabilities, loadGeometryModel, resolveGeometryModel } from "../../src/face/geometry-au.ts";
import { fuseGeometry } from "../../src/face/geometry/geometry-model.ts";
import { decodeImage } from "../../src/face/image.ts";
import { FacePipeline } from "../../src/face/pipeline.ts";
import { createAuDetector } from "../../src/api/detector.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { fx } from "./helpers.ts";

test("the bundled geometry model loads, and its README states its file's size and sha256", () => {
  const m = loadGeometryModel(DEFAULT_GEOMETRY_MODEL_PATH);
  assert.deepEqual(m.aus, [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24]);
  assert.equal(m.template, "aunce-align-v1");
  const bytes = readFileSync(DEFAULT_GEOMETRY_MODEL_PATH);
  const readme = readFileSync(DEFAULT_GEOMETRY_MODEL_PATH.replace(/\.json$/, ".md"), "utf8");
  assert.ok(readme.includes(createHash("sha256").update(bytes).digest("hex")), "README sha256");
  assert.ok(readme.includes(`${(bytes.length / 1024).toFixed(0)} KiB`), "README size");
  assert.equal((m.meta as { licence?: string }).licence, "MIT");
});

test("resolveGeometryModel: off, bundled, a file, a parsed model; clear errors", () => {
  assert.equal(resolveGeometryModel(undefined), undefined);
  assert.equal(resolveGeometryModel(false), undefined);
  const m = resolveGeometryModel(true)!;
  assert.deepEqual(resolveGeometryModel(m), m);
  const dir = makeTempDir("geom-");
  try {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...m, layers: [] }));
    assert.throws(() => resolveGeometryModel(bad), /bad\.json: geometry AU model: layers must hold 1/);
    writeFileSync(bad, "{not json");
    assert.throws(() => resolveGeometryModel(bad), /bad\.json: cannot read a geometry AU model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => resolveGeometryModel(3 as unknown as boolean), /expected true, false, a weights file path or a parsed model/);
});

test("FacePipeline with a geometry model: each face's probabilities are the fusion of the image model's and the geometry model's", { skip: !defaultModelPath() && "no bundled model" }, async () => {
  const model = await loadAuModelFromCheckpoint(defaultModelPath()!, "cpu");
  const g = loadGeometryModel(DEFAULT_GEOMETRY_MODEL_PATH);
  const plain = new FacePipeline(model, { minConfidence: 0.3 });
  const fused = new FacePipeline(model, { minConfidence: 0.3, geometry: g });
  try {
    const img = await decodeImage(fx("sample1.jpg"));
    const before = liveTensors();
    const a = plain.analyze(img), b = fused.analyze(img);
    assert.equal(liveTensors(), before);
    assert.equal(a.length, b.length);
    assert.ok(a.length >= 1);
    let moved = 0;
    a.forEach((f, i) => {
      assert.deepEqual(b[i].landmarks, f.landmarks);
      const want = fuseGeometry(g, model.aus, f.probabilities, geometryProbabilities(g, f));
      want.forEach((p, k) => assert.ok(Math.abs(p - b[i].probabilities[k]) < 1e-6, `face ${i} AU${model.aus[k]}: ${b[i].probabilities[k]} vs ${p}`));
      moved += want.filter((p, k) => Math.abs(p - f.probabilities[k]) > 1e-3).length;
    });
    assert.ok(moved > 0, "the fusion changed nothing");
    assert.throws(() => new FacePipeline(model, { geometry: { ...g, template: "other-v9" } }), /trained on template other-v9, the pipeline aligns to aunce-align-v1/);
  } finally {
    plain.dispose();
    fused.dispose();
    model.dispose?.();
  }
});

test("createAuDetector({ geometry: true }) fuses; the result shape is unchanged", { skip: !defaultModelPath() && "no bundled model" }, async () => {
  const d0 = await createAuDetector({ minConfidence: 0.3 });
  const d1 = await createAuDetector({ minConfidence: 0.3, geometry: true });
  try {
    const [a, b] = [await d0.detect(fx("sample1.jpg")), await d1.detect(fx("sample1.jpg"))];
    assert.equal(a.length, b.length);
    assert.deepEqual(Object.keys(b[0]), Object.keys(a[0]));
    assert.deepEqual(b[0].aus.map((x) => x.au), a[0].aus.map((x) => x.au));
    assert.ok(b.some((f, i) => f.aus.some((x, k) => Math.abs(x.probability - a[i].aus[k].probability) > 1e-3)));
    assert.match(d1.modelDescription, /fused with a landmark-geometry AU model/);
  } finally {
    d0.dispose();
    d1.dispose();
  }
  await assert.rejects(createAuDetector({ geometry: "/no/such/geometry.json" }), /cannot read a geometry AU model/);
});
