// `train --resume` continues the saved run: `--resume --exp_name X` alone suffices, the banner and
// log say what resumed from which step, a run that died between checkpoints logs every step once,
// and contradicting or pointless resumes fail before any work. Also: checks that come before work
// (crop vs image size, missing --dataset, the visible fold default, linear-eval's model kind).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { AuDataset } from "../../src/data/index.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/trainer.ts";
import { runCli } from "../helpers/cli.ts";
import { tinyConfig, tinyPrepared } from "../helpers/tiny-dataset.ts";

let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("train --resume", () => {
  it("continues a run that died between checkpoints with only --exp_name, logging each step once", async (t) => {
    const out = mkdtempSync(join(tmpdir(), "aunce-resume-"));
    try {
      // Batch 8: `steps` steps in the epoch. The process "dies" right after step 3 is logged: the
      // last checkpoint is step 2's, as after a SIGKILL between two checkpoints.
      const steps = Math.floor(AuDataset.open(prepared, 1, "train", { dataset: "BP4D" }).length / 8);
      assert.ok(steps >= 4, `${steps} steps`);
      const cfg = resolveConfig(tinyConfig(prepared, out, { supervised: true, epochs: 1, batch_size: 8, checkpoint_every: 2 }));
      await assert.rejects(train(cfg, { events: { step: (s) => { if (s.step === 3) throw new Error("killed"); } } }), /killed/);
      const run = join(out, "run");

      const wrong = await runCli(t, "train", "--resume", "--exp_name", "run", "--out_dir", out, "--lr", "0.5", "--backbone", "resnet18");
      assert.equal(wrong.code, 1);
      assert.match(wrong.err, /--backbone resnet18 contradicts the saved backbone resnet_tiny; --lr 0\.5 contradicts the saved lr 0\.001/);

      const r = await runCli(t, "train", "--resume", "--exp_name", "run", "--out_dir", out);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`resuming ${run} from step 2 \\(epoch 1, batch 2 of ${steps}\\) of .*last\\.safetensors; dropped 1 log line\\(s\\) written after that checkpoint`));
      assert.match(r.out, /supervised ME-GraphAU baseline: resnet_tiny, [\d,]+ parameters, fold 1, 1 epochs of \d+ steps/);
      assert.match(r.out, new RegExp(`finished after ${steps} steps`));
      const saved = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
      assert.equal(saved.epochs, 1, "the saved epochs, not the default 60");
      assert.equal(saved.backbone, "resnet_tiny");
      const log = readFileSync(join(run, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(log.filter((e) => e.event === "step").map((e) => e.step), Array.from({ length: steps }, (_, i) => i + 1), "every step once");
      const resumed = log.find((e) => e.event === "resume");
      assert.deepEqual([resumed.step, resumed.epoch, resumed.batch, resumed.droppedLogLines], [2, 0, 2, 1]);

      const again = await runCli(t, "train", "--resume", "--exp_name", "run", "--out_dir", out);
      assert.equal(again.code, 1);
      assert.match(again.err, new RegExp(`has already trained 1 epoch\\(s\\) \\(step ${steps}\\) of epochs 1; resume with --epochs N \\(N > 1\\) to train further`));

      // linear-eval refuses the supervised checkpoint before extracting features, and leaves no progress-bar timer.
      const before = timers();
      const l = await runCli(t, "linear-eval", "--checkpoint", join(run, "last.safetensors"));
      assert.equal(l.code, 1);
      assert.match(l.err, /linear evaluation needs an AUNCE encoder \(AU embeddings\); this is a supervised model \(per-AU scores\): evaluate it with `aunce evaluate`/);
      assert.equal(timers(), before, "no timer left running");
      assert.ok(!existsSync(join(run, "linear-eval")));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("checks the data before creating the run folder; names --crop_size; says which fold it defaults to", async (t) => {
    const out = mkdtempSync(join(tmpdir(), "aunce-preflight-"));
    try {
      const r = await runCli(t, "train", "--dataset", "BP4D", "--data_root", prepared, "--out_dir", out, "--exp_name", "big", "--backbone", "resnet_tiny", "--batch_size", "4", "--crop_size", "96", "--workers", "1");
      assert.equal(r.code, 1);
      assert.match(r.err, /no --fold given; training on fold 1 \(the default\)\. Pass --fold 1, 2 or 3 to choose\./);
      assert.match(r.err, /training images are 64x64 px \(.*\.jpg\), smaller than crop_size 96: pass --crop_size 64 or less/);
      assert.ok(!existsSync(join(out, "big")), "no run folder made");
      const none = await runCli(t, "train", "--exp_name", "x");
      assert.equal(none.code, 1);
      assert.match(none.err, /train: --dataset is required \(BP4D, DISFA or a prepared folder\); to continue a run, use --resume --exp_name <name>/);
      const nothing = await runCli(t, "train", "--resume", "--exp_name", "nothing", "--out_dir", out);
      assert.equal(nothing.code, 1);
      assert.match(nothing.err, /no checkpoint to resume from at .*nothing\/last\.safetensors/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
