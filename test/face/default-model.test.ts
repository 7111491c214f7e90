/**
 * The bundled default AU model (issue 15): it loads, and its README (written by
 * scripts/make-default-model.ts from the run's files) describes this very file — name, size, sha256,
 * backbone and the held-out numbers recorded in the checkpoint itself.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { DEFAULT_MODEL_PATH, GraphAuModel, loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { readAunceCheckpoint } from "../../src/models/checkpoint/index.ts";
import { BP4D_AUS } from "../../src/face/au-model.ts";

const readme = readFileSync(join(dirname(DEFAULT_MODEL_PATH), "README.md"), "utf8");

test("the bundled model's README names its file, size and sha256", () => {
  const bytes = readFileSync(DEFAULT_MODEL_PATH);
  assert.ok(readme.includes(`\`${basename(DEFAULT_MODEL_PATH)}\` is what \`aunce detect\``), "README names the file");
  const sha = /sha256 `([0-9a-f]{64})`/.exec(readme)?.[1];
  assert.equal(sha, createHash("sha256").update(bytes).digest("hex"));
  const mib = /\*\*File\*\*: ([\d.]+) MiB/.exec(readme)?.[1];
  assert.equal(mib, (statSync(DEFAULT_MODEL_PATH).size / 2 ** 20).toFixed(1));
  assert.match(readme, /Not validated on real faces/);
  assert.match(readme, /\*\*Licence\*\*: MIT/);
});

test("the bundled model loads as the faceapi_expression graph model the README describes, with the numbers its checkpoint records", async () => {
  const ck = await readAunceCheckpoint(DEFAULT_MODEL_PATH);
  const cfg = ck.meta.config as { train: { backbone: string; crop_size: number }; evaluation: { meanF1: number; meanAuc: number } };
  assert.equal(cfg.train.backbone, "faceapi_expression");
  assert.ok(readme.includes(`on \`${cfg.train.backbone}\``));
  assert.ok(readme.includes(`**mean** | **${(100 * cfg.evaluation.meanF1).toFixed(1)}**`), "README's mean F1 is the checkpoint's");
  assert.ok(readme.includes(`Mean ROC-AUC ${(100 * cfg.evaluation.meanAuc).toFixed(1)}%`), "README's ROC-AUC is the checkpoint's");
  assert.ok(!/\/(work|home|tmp)\//.test(JSON.stringify(ck.meta)), "no machine paths in the shipped metadata");
  const model = await loadAuModelFromCheckpoint(DEFAULT_MODEL_PATH);
  try {
    assert.ok(model instanceof GraphAuModel);
    assert.deepEqual(model.aus, BP4D_AUS);
    assert.equal(model.inputSize, cfg.train.crop_size);
  } finally {
    model.dispose?.();
  }
});
