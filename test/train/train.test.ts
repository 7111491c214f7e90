// Training end to end on a tiny SynthAU dataset: both objectives run and learn, an interrupted
// and resumed run reproduces the uninterrupted loss curve exactly, and the failure cases stop
// cleanly (non-finite loss, unwritable output, existing run).
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { liveTensors } from "../../src/tensor/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/trainer.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let prepared: string;
const out = () => makeTempDir("aunce-train-");

before(async () => {
  prepared = await tinyPrepared();
});

describe("train", () => {
  it("an interrupted and resumed AUNCE run gives the uninterrupted loss curve", async () => {
    const live = liveTensors();
    const dirA = out();
    const full = await train(resolveConfig(tinyConfig(prepared, dirA)));
    assert.equal(full.stopped, "done");
    assert.ok(full.losses.length >= 6, `${full.losses.length} steps`);
    assert.ok(full.losses.every(Number.isFinite));

    const dirB = out();
    const ctrl = new AbortController();
    let seen = 0;
    const first = await train(resolveConfig(tinyConfig(prepared, dirB)), {
      signal: ctrl.signal,
      events: { step: () => { if (++seen === 4) ctrl.abort(); } }, // Ctrl-C after step 4, mid-epoch
    });
    assert.equal(first.stopped, "interrupted");
    assert.equal(first.steps, 4);
    const rest = await train(resolveConfig(tinyConfig(prepared, dirB)), { resume: true });
    assert.equal(rest.stopped, "done");
    assert.deepEqual([...first.losses, ...rest.losses], full.losses, "same losses, step for step");
    assert.equal(liveTensors(), live, "no tensors left behind");
    const log = readFileSync(join(dirB, "run", "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(log.filter((e) => e.event !== "step").map((e) => e.event).slice(0, 4), ["start", "checkpoint", "interrupted", "resume"]);
  });

  it("the supervised baseline trains with the weighted asymmetric loss", async () => {
    const r = await train(resolveConfig(tinyConfig(prepared, out(), { supervised: true, epochs: 3 })));
    assert.equal(r.stopped, "done");
    const k = Math.floor(r.losses.length / 3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(r.losses.slice(-k)) < mean(r.losses.slice(0, k)), `loss did not fall: ${r.losses.map((l) => l.toFixed(3))}`);
  });

  it("a non-finite loss stops with a clear message and leaves the last good checkpoint intact", async () => {
    const dir = out();
    // lr 1e30: the first update blows the weights up, so a later step's loss is not finite.
    const cfg = resolveConfig(tinyConfig(prepared, dir, { supervised: true, lr: 1e30, checkpoint_every: 1 }));
    let stepsDone = 0;
    let savedAt = 0;
    await assert.rejects(
      train(cfg, { events: { step: () => stepsDone++, checkpoint: (p) => (savedAt = statSync(p).mtimeMs) } }),
      /loss became (NaN|Infinity|-Infinity) at epoch \d+, batch \d+ \(step \d+\); stopped without updating the weights\. The last good checkpoint is .*last\.safetensors/,
    );
    assert.ok(stepsDone >= 1);
    const ckpt = join(dir, "run", "last.safetensors");
    assert.equal(statSync(ckpt).mtimeMs, savedAt, "the checkpoint was not touched after the failure");
    const { readResumeState } = await import("../../src/train/state.ts");
    assert.equal((await readResumeState(ckpt)).step, stepsDone, "it holds the last finite step");
  });

  it("refuses an unwritable output folder before training", async () => {
    const file = join(out(), "a-file");
    writeFileSync(file, "x");
    await assert.rejects(train(resolveConfig(tinyConfig(prepared, join(file, "runs")))), /output folder .* is not writable/);
  });

  it("refuses to overwrite an existing run without --resume, and to resume nothing", async () => {
    const dir = out();
    await train(resolveConfig(tinyConfig(prepared, dir, { max_steps: 1 })));
    await assert.rejects(train(resolveConfig(tinyConfig(prepared, dir))), /already holds a run; continue it with --resume/);
    await assert.rejects(train(resolveConfig(tinyConfig(prepared, out())), { resume: true }), /no checkpoint to resume from/);
    assert.ok(existsSync(join(dir, "run", "config.json")));
  });
});
