// The study's training switches: negative re-weighting exponents (neg_betas), one positive type
// instead of three (positive_types), and fine-tuning from an AUNCE encoder's backbone (init_from).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { positiveType } from "../../src/losses/index.ts";
import { readAunceCheckpoint } from "../../src/models/checkpoint/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { positiveThresholds, train } from "../../src/train/trainer.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

/** The backbone's trainable weights of a checkpoint as float32 arrays (batch-norm running statistics left out). */
async function backboneWeights(file: string): Promise<Map<string, Float32Array>> {
  const sd = (await readAunceCheckpoint(file)).model;
  const out = new Map<string, Float32Array>();
  for (const [k, t] of sd) {
    if (!k.startsWith("backbone.") || /running_|num_batches/.test(k)) continue;
    out.set(k, new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)));
  }
  return out;
}

const maxDiff = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) => {
  assert.deepEqual([...a.keys()], [...b.keys()]);
  let m = 0;
  for (const [k, x] of a) x.forEach((v, i) => (m = Math.max(m, Math.abs(v - b.get(k)![i]))));
  return m;
};

describe("study switches", () => {
  it("positive_types picks the positive term for every draw; three keeps the paper's 0.2 / 0.8", () => {
    const draws = [0, 0.1, 0.5, 0.79, 0.8, 0.999];
    assert.deepEqual(draws.map((u) => positiveType(u, positiveThresholds("three"))), ["max", "max", "mean", "mean", "view", "view"]);
    for (const kind of ["max", "mean", "view"] as const) assert.deepEqual(draws.map((u) => positiveType(u, positiveThresholds(kind))), draws.map(() => kind));
  });

  it("config: defaults are the paper's, bad values are named", () => {
    const c = resolveConfig({ dataset: "BP4D" });
    assert.deepEqual([c.neg_betas, c.positive_types, c.init_from], [[1.2, 0.8], "three", null]);
    assert.throws(() => resolveConfig({ dataset: "BP4D", neg_betas: [0, 1] }), /neg_betas must be two numbers > 0/);
    assert.throws(() => resolveConfig({ dataset: "BP4D", positive_types: "two" as never }), /positive_types must be three, max, mean or view/);
    assert.throws(() => resolveConfig({ dataset: "BP4D", init_from: "a.safetensors", pretrained: "b.pth" }), /init_from and pretrained both initialise the backbone/);
  });

  it("neg_betas and positive_types reach the AUNCE loss", async () => {
    const first = async (extra: Record<string, unknown>) => (await train(resolveConfig(tinyConfig(prepared, makeTempDir("aunce-sw-"), { max_steps: 2, ...extra })))).losses;
    const base = await first({});
    assert.notEqual((await first({ neg_betas: [1, 1] }))[0], base[0]);
    assert.notEqual((await first({ positive_types: "view" }))[0], base[0]);
  });

  it("init_from starts a supervised run from the AUNCE encoder's backbone (heads fresh); a missing file fails first", async () => {
    const dir = makeTempDir("aunce-init-");
    const enc = await train(resolveConfig(tinyConfig(prepared, dir, { exp_name: "enc", max_steps: 3 })));
    const tiny = { supervised: true, max_steps: 1, lr: 1e-12 }; // one step that cannot move the weights measurably
    const ft = await train(resolveConfig(tinyConfig(prepared, dir, { exp_name: "ft", init_from: enc.checkpoint, ...tiny })));
    const scratch = await train(resolveConfig(tinyConfig(prepared, dir, { exp_name: "scratch", ...tiny })));
    const e = await backboneWeights(enc.checkpoint);
    assert.ok(maxDiff(e, await backboneWeights(ft.checkpoint)) < 1e-6, "fine-tuning starts from the encoder");
    assert.ok(maxDiff(e, await backboneWeights(scratch.checkpoint)) > 1e-4, "from scratch it does not");
    await assert.rejects(train(resolveConfig(tinyConfig(prepared, dir, { exp_name: "bad", init_from: join(dir, "nope.safetensors"), supervised: true }))), /encoder checkpoint not found: .*nope\.safetensors \(--init_from\)/);
  });
});
