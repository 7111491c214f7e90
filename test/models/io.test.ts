import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createAuModel, createModel } from "../../src/models/registry.ts";
import { loadModelCheckpoint, loadPretrained, loadPretrainedState, loadRawIntoModule, moduleToRaw, saveModelCheckpoint } from "../../src/models/io.ts";
import { applyKeyMap, OFFICIAL_SWIN_TO_TIMM, rawEqual, writeSafetensors, type RawStateDict } from "../../src/models/checkpoint/index.ts";
import { manualSeed, noGrad, tidy } from "../../src/tensor/index.ts";
import { SwinTransformer } from "../../src/models/backbones/swin.ts";
import { readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { fileURLToPath } from "node:url";
import { detFill, detInput, relErr } from "./helpers.ts";
import { makeTempDir } from "../helpers/tmp.ts";

// Module construction draws initial weights; seeded, although detFill overwrites them.
beforeEach(() => manualSeed(0));

const sameState = (a: RawStateDict, b: RawStateDict) => {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [k, v] of a) assert.ok(rawEqual(v, b.get(k)!), k);
};

test("official Swin weights, and the same weights in timm's naming, load into our Swin bit for bit", () => {
  const src = createModel("swin_tiny_test");
  detFill(src);
  const official = moduleToRaw(src);
  const timm = applyKeyMap(official, OFFICIAL_SWIN_TO_TIMM);
  for (const sd of [official, timm]) {
    const dst = createModel("swin_tiny_test");
    const report = loadPretrainedState(dst, sd);
    assert.deepEqual(report.missing.concat(report.unexpected), []);
    sameState(moduleToRaw(dst), official);
    dst.dispose();
  }
  // Into a feature backbone the ImageNet classifier is left out silently.
  const features = createModel("swin_tiny_test", { numClasses: 0 });
  const r = loadPretrainedState(features, official);
  assert.deepEqual(r.unexpected, []);
  features.dispose();
  src.dispose();
});

test("torchvision ResNet weights load into a feature backbone (fc ignored); strict mode lists problems by name", () => {
  const src = createModel("resnet_tiny");
  detFill(src);
  const sd = moduleToRaw(src);
  const dst = createModel("resnet_tiny", { numClasses: 0 });
  loadPretrainedState(dst, sd);
  const got = moduleToRaw(dst);
  for (const [k, v] of got) assert.ok(rawEqual(v, sd.get(k)!), k);
  // Strict: a missing key, an unexpected key and a shape mismatch are all named.
  const broken: RawStateDict = new Map(sd);
  broken.delete("layer1.0.conv1.weight");
  broken.set("layer9.weight", sd.get("bn1.weight")!);
  broken.set("bn1.bias", sd.get("layer4.0.bn1.bias")!);
  assert.throws(() => loadRawIntoModule(dst, broken, { source: "broken.pth" }), (err: Error) => {
    assert.match(err.message, /broken\.pth does not match the model/);
    assert.match(err.message, /missing keys \(1\): layer1\.0\.conv1\.weight/);
    assert.match(err.message, /unexpected keys \(\d+\): .*layer9\.weight/);
    assert.match(err.message, /bn1\.bias expected \[8\] got \[64\]/);
    return true;
  });
  // Non-strict: loads what matches and reports the rest.
  const report = loadRawIntoModule(dst, broken, { strict: false });
  assert.deepEqual(report.missing, ["layer1.0.conv1.weight"]);
  assert.deepEqual(report.shapeMismatches.map((m) => m.name), ["bn1.bias"]);
  src.dispose();
  dst.dispose();
});

test("a trained AU checkpoint (DataParallel `module.` prefix, `backbone.*` + `global_linear.*` + `head.*`) loads into the AU model and its backbone", async () => {
  const dir = makeTempDir("aunce-io-");
  const src = createAuModel({ backbone: "swin_tiny_test", numAus: 5 });
  detFill(src);
  const sd = moduleToRaw(src);
  const path = join(dir, "trained.safetensors");
  await writeSafetensors(path, new Map([...sd].map(([k, v]) => [`module.${k}`, v])));
  const dst = createAuModel({ backbone: "swin_tiny_test", numAus: 5 });
  const report = await loadPretrained(dst, path);
  assert.deepEqual(report.missing.concat(report.unexpected), []);
  sameState(moduleToRaw(dst), sd);
  const bb = createModel("swin_tiny_test", { numClasses: 0 });
  await loadPretrained(bb, path);
  for (const [k, v] of moduleToRaw(bb)) assert.ok(rawEqual(v, sd.get(`backbone.${k}`)!), k);
  // A checkpoint for a different AU count is refused by name.
  const other = createAuModel({ backbone: "swin_tiny_test", numAus: 4 });
  await assert.rejects(loadPretrained(other, path), /unexpected keys \(\d+\): .*head\.class_linears\.4\.fc\.weight[^]*shape mismatches/);
  for (const m of [src, dst, bb, other]) m.dispose();
});

test("our checkpoint (safetensors + AU list, backbone, normalisation, config) round-trips and rebuilds the model", async () => {
  const dir = makeTempDir("aunce-io-");
  const spec = { backbone: "swin_tiny_test", numAus: 5, method: "megraphau" as const };
  const src = createAuModel(spec);
  detFill(src);
  const meta = { aus: [1, 2, 4, 6, 7], normalisation: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] }, config: { model: spec, lr: 1e-5 } };
  const path = join(dir, "ours.safetensors");
  await saveModelCheckpoint(path, src, meta, { state: { epoch: 3 } });
  const { model, meta: got, training } = await loadModelCheckpoint(path);
  assert.deepEqual(got.aus, [1, 2, 4, 6, 7]);
  assert.equal(got.backbone, "swin_tiny_test");
  assert.deepEqual(got.config, meta.config);
  assert.deepEqual(training?.state, { epoch: 3 });
  sameState(moduleToRaw(model), moduleToRaw(src));
  src.eval();
  model.eval();
  noGrad(() => tidy(() => {
    const x = detInput([2, 3, 64, 64]);
    const a = src.forward(x).data() as Float32Array;
    const b = model.forward(x).data() as Float32Array;
    assert.equal(a.length, 10);
    assert.deepEqual(b, a);
  }));
  await assert.rejects(saveModelCheckpoint(path, src, { ...meta, aus: [1, 2] }), /2 AUs in the metadata, the model has 5/);
  src.dispose();
  model.dispose();
});

test("a torch.save'd official-layout Swin ({'model': sd, 'epoch': ...}) loads strictly and reproduces PyTorch's tokens", async () => {
  const fx = readFixture<{ pth_config: { embed: number; depths: number[]; heads: number[]; ws: number; img: number; classes: number }; pth_tokens: EncodedTensor }>("models/swin.json");
  const c = fx.pth_config;
  const m = new SwinTransformer({ imgSize: c.img, embedDim: c.embed, depths: c.depths, numHeads: c.heads, windowSize: c.ws, numClasses: c.classes });
  const path = fileURLToPath(new URL("../fixtures/models/swin_small_official.pth", import.meta.url));
  const report = await loadPretrained(m, path, { strict: true });
  assert.deepEqual(report.missing.concat(report.unexpected), []);
  m.eval();
  noGrad(() => tidy(() => {
    const tok = m.forwardFeatures(detInput([2, 3, 64, 64]));
    assert.ok(relErr(tok, fx.pth_tokens) < 1e-4, `tokens ${relErr(tok, fx.pth_tokens)}`);
  }));
  m.dispose();
});
