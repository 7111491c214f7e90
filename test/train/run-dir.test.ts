import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { JsonlLog, prepareRunDir, writeJsonAtomic } from "../../src/train/run-dir.ts";
import { learningRate } from "../../src/train/schedule.ts";
import { deviceOf, parseOverrides, resolveConfig } from "../../src/train/config.ts";
import { makeTempDir } from "../helpers/tmp.ts";

describe("run folder and config", () => {
  it("fails before training when the disk cannot hold the checkpoints", () => {
    const dir = makeTempDir("aunce-run-");
    assert.throws(() => prepareRunDir(dir, 1e18), /MiB free; training needs about \d+ MiB for checkpoints/);
    prepareRunDir(dir, 1024);
  });

  it("writes JSON atomically and appends JSON lines", () => {
    const dir = makeTempDir("aunce-run-");
    writeJsonAtomic(join(dir, "a.json"), { x: 1 });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "a.json"), "utf8")), { x: 1 });
    const log = new JsonlLog(join(dir, "log.jsonl"));
    log.write({ event: "a" });
    log.write({ event: "b" });
    assert.deepEqual(readFileSync(join(dir, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).event), ["a", "b"]);
  });

  it("a failed atomic JSON write leaves no temp file behind", () => {
    const dir = makeTempDir("aunce-run-");
    mkdirSync(join(dir, "config.json")); // a folder in the way: the rename fails
    assert.throws(() => writeJsonAtomic(join(dir, "config.json"), { x: 1 }), /EISDIR|illegal operation on a directory/);
    assert.deepEqual(readdirSync(dir), ["config.json"]);
  });

  it("lr is x0.1 in the last epoch only (the reference's schedule)", () => {
    const lrs = [0, 1, 58, 59].map((e) => learningRate(1e-5, e, 60));
    assert.deepEqual(lrs.slice(0, 3), [1e-5, 1e-5, 1e-5]);
    assert.ok(Math.abs(lrs[3] - 1e-6) < 1e-18);
    assert.throws(() => learningRate(1e-5, 60, 60), /outside/);
  });

  it("config: dataset defaults, overrides, validation naming the key", () => {
    const c = resolveConfig({ dataset: "DISFA" }, parseOverrides(["lr=2e-5", "betas=[0.8, 0.9]"]));
    assert.equal(c.data_root, "data/disfa");
    assert.equal(c.lr, 2e-5);
    assert.deepEqual(c.betas, [0.8, 0.9]);
    assert.equal(c.backbone, "swin_b");
    assert.throws(() => resolveConfig({ dataset: "BP4D", fold: 4 as never }), /fold must be 1, 2 or 3, got 4/);
    assert.throws(() => resolveConfig({ dataset: "BP4D" }, parseOverrides(["lrr=1"])), /unknown key 'lrr'/);
    assert.throws(() => parseOverrides(["lr"]), /--set expects key=value/);
    assert.equal(deviceOf(resolveConfig({ dataset: "BP4D", gpu_ids: "1,2" })), "cuda:1");
    assert.equal(deviceOf(resolveConfig({ dataset: "BP4D", gpu_ids: "-1" })), "cpu");
  });
});
