// --freeze_backbone and the face-api backbones in training: 2-step smoke runs with each face-api
// backbone, frozen and not, on tiny SynthAU data. Frozen: the backbone's weights (and a ResNet's
// batch-norm statistics) are bit-identical to where they started, the head's moved. Not frozen:
// both moved. The face-api backbones start from face-api's weights without --pretrained.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readBp4d, writePrepared } from "../../src/data/index.ts";
import { readAunceCheckpoint } from "../../src/models/checkpoint/index.ts";
import { createAuModel, createModel } from "../../src/models/registry.ts";
import { moduleToRaw } from "../../src/models/io.ts";
import { generateSynthDataset } from "../../src/synth/index.ts";
import { liveTensors, manualSeed } from "../../src/tensor/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { modelSpec, train } from "../../src/train/trainer.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let small: string;
let large: string;

before(async () => {
  small = await tinyPrepared(); // 64 px
  // faceapi_recognition needs >= 103 px: 4 subjects (fold 1 trains on two) at 112.
  const root = makeTempDir("aunce-tiny112-");
  await generateSynthDataset({ style: "bp4d", subjects: 6, sequences: 1, frames: 4, size: 112, seed: 5, out: join(root, "raw"), workers: 0 });
  writePrepared(readBp4d(join(root, "raw")), join(root, "prepared"));
  large = join(root, "prepared");
});

/** Bytes of every state entry under `prefix` ("backbone." or the rest). */
function bytesOf(state: Map<string, { data: Uint8Array }>, backbone: boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, t] of state) if (k.startsWith("backbone.") === backbone) out.set(k, Buffer.from(t.data).toString("base64"));
  return out;
}

/** The state the trainer starts from (same seed, same construction). */
function initialState(cfg: ReturnType<typeof resolveConfig>): Map<string, { data: Uint8Array }> {
  manualSeed(cfg.seed);
  const net = createAuModel(modelSpec(cfg, 12));
  const out = moduleToRaw(net);
  net.dispose();
  return out;
}

function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  return [...a.keys()].filter((k) => a.get(k) !== b.get(k));
}

describe("freeze_backbone", () => {
  const cases: [string, () => string, number][] = [
    ["faceapi_expression", () => small, 48],
    ["faceapi_recognition", () => large, 104],
    ["resnet_tiny", () => small, 48],
  ];
  for (const [backbone, data, crop] of cases) {
    for (const freeze of [true, false]) {
      if (backbone === "resnet_tiny" && !freeze) continue; // trained unfrozen throughout train.test.ts
      it(`${backbone}${freeze ? " frozen" : ""}: 2 supervised steps; backbone ${freeze ? "bit-identical" : "moved"}, head moved`, async () => {
        const live = liveTensors();
        const cfg = resolveConfig(tinyConfig(data(), makeTempDir("aunce-freeze-"), { backbone, crop_size: crop, supervised: true, max_steps: 2, freeze_backbone: freeze }));
        const r = await train(cfg);
        assert.equal(r.steps, 2);
        assert.ok(r.losses.every(Number.isFinite));
        const start = initialState(cfg);
        const end = (await readAunceCheckpoint(r.checkpoint)).model as Map<string, { data: Uint8Array }>;
        const bbChanged = changed(bytesOf(start, true), bytesOf(end, true));
        if (freeze) assert.deepEqual(bbChanged, [], "a frozen backbone (weights and batch-norm statistics) does not move");
        else assert.ok(bbChanged.length > 0, "an unfrozen backbone trains");
        assert.ok(changed(bytesOf(start, false), bytesOf(end, false)).length > 0, "the head trains");
        assert.equal(liveTensors(), live, "no tensors left behind");
      });
    }
  }

  it("the face-api backbones start from face-api's weights (as a fresh backbone holds them), with no --pretrained", async () => {
    const cfg = resolveConfig(tinyConfig(small, makeTempDir("aunce-freeze-"), { backbone: "faceapi_expression", crop_size: 48, supervised: true }));
    const start = bytesOf(initialState(cfg), true);
    const fresh = createModel("faceapi_expression");
    for (const [k, t] of moduleToRaw(fresh)) assert.equal(start.get(`backbone.${k}`), Buffer.from(t.data).toString("base64"), k);
    fresh.dispose();
  });

  it("config: freeze_backbone is a boolean", () => {
    assert.equal(resolveConfig({ dataset: "x" }).freeze_backbone, false);
    assert.equal(resolveConfig({ dataset: "x", freeze_backbone: "true" as unknown as boolean }).freeze_backbone, true);
    assert.throws(() => resolveConfig({ dataset: "x", freeze_backbone: 3 as unknown as boolean }), /freeze_backbone must be true or false/);
  });
});
