// The resume rule: a resumed run is the saved run. Only typed stopping-point keys (and threads,
// save frequency, location) may change; anything else typed that contradicts the saved config is
// an error naming both values. And the log is cut back to the checkpoint's step.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { resolveConfig, resumeConfig } from "../../src/train/config.ts";
import { truncateLogAfter } from "../../src/train/run-dir.ts";

const saved = resolveConfig({ dataset: "BP4D", data_root: "/data/bp4d", backbone: "resnet18", epochs: 15, lr: 1e-4, fold: 2, exp_name: "r1" });

describe("resume rule", () => {
  it("what was not typed stays as saved (typing only --dataset keeps the saved 15 epochs)", () => {
    const { config, changes } = resumeConfig(saved, { dataset: "bp4d", exp_name: "r1" }, "ckpt");
    assert.deepEqual(config, saved);
    assert.equal(config.epochs, 15);
    assert.equal(config.backbone, "resnet18");
    assert.deepEqual(changes, []);
  });

  it("typed stopping point, threads and save frequency change, and are reported", () => {
    const { config, changes } = resumeConfig(saved, { epochs: "20" as never, max_steps: 500, workers: 2, checkpoint_every: 50, out_dir: "/elsewhere" }, "ckpt");
    assert.equal(config.epochs, 20);
    assert.equal(config.max_steps, 500);
    assert.equal(config.out_dir, "/elsewhere");
    assert.deepEqual(changes.map((c) => [c.key, c.from, c.to]), [["epochs", 15, 20], ["workers", 0, 2], ["checkpoint_every", 500, 50], ["max_steps", 0, 500]]);
  });

  it("a typed value that contradicts the saved config is an error naming both values", () => {
    assert.throws(() => resumeConfig(saved, { lr: 2e-5 }, "runs/r1/last.safetensors"),
      /--resume continues the saved run \(runs\/r1\/last\.safetensors\) with its own settings: --lr 2e-5 contradicts the saved lr 1e-4\. Drop that flag/);
    assert.throws(() => resumeConfig(saved, { backbone: "swin_b", supervised: true, fold: 1 }, "c"),
      /--fold 1 contradicts the saved fold 2; --backbone swin_b contradicts the saved backbone resnet18; --supervised true contradicts the saved supervised false\. Drop those flags/);
    assert.throws(() => resumeConfig(saved, { dataset: "DISFA" }, "c"), /--dataset DISFA contradicts the saved dataset BP4D/);
    // The same value, spelt differently, is no contradiction.
    assert.equal(resumeConfig(saved, { lr: "0.0001" as never, data_root: "/data/./bp4d/", fold: "2" as never }, "c").config.lr, 1e-4);
    // Bad values are still refused, naming the key.
    assert.throws(() => resumeConfig(saved, { epochs: 0 }, "c"), /epochs must be a positive integer, got 0/);
  });
});

describe("run log on resume", () => {
  it("drops every line past the checkpoint's step and a torn last line", () => {
    const dir = mkdtempSync(join(tmpdir(), "aunce-log-"));
    try {
      const log = join(dir, "log.jsonl");
      const lines = [{ event: "start", step: 0 }, { event: "step", step: 1 }, { event: "step", step: 2 }, { event: "checkpoint", epoch: 0, batch: 2, step: 2 }, { event: "step", step: 3 }, { event: "epoch", epoch: 0 }];
      writeFileSync(log, lines.map((l) => JSON.stringify(l) + "\n").join("") + '{"event":"st');
      assert.equal(truncateLogAfter(log, 2), 3);
      assert.deepEqual(readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l)), lines.slice(0, 4));
      assert.equal(truncateLogAfter(log, 2), 0, "nothing more to drop");
      writeFileSync(log, '{"event":"step","step":1}\n{"event":"st');
      assert.equal(truncateLogAfter(log, 5), 1, "a torn line goes even when no step is past the checkpoint");
      assert.equal(truncateLogAfter(join(dir, "none.jsonl"), 0), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
