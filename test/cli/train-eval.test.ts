// The training and evaluation commands end to end on a tiny SynthAU dataset.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { runCli } from "../helpers/cli.ts";
import { tinyPrepared } from "../helpers/tiny-dataset.ts";
import { makeTempDir } from "../helpers/tmp.ts";

let prepared: string;
before(async () => {
  prepared = await tinyPrepared();
});

describe("train / linear-eval / evaluate commands", () => {
  it("train (AUNCE), linear-eval, train --supervised, evaluate, evaluate --runs", async (t) => {
    const out = makeTempDir("aunce-cli-");
    const common = ["--dataset", "BP4D", "--data_root", prepared, "--fold", "2", "--out_dir", out, "--backbone", "resnet_tiny", "--batch_size", "4", "--crop_size", "48", "--epochs", "1", "--workers", "1", "--set", "lr=0.001"];
    const a = await runCli(t, "train", ...common, "--exp_name", "au", "--info_nce", "enhance");
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /AUNCE pre-training: resnet_tiny, [\d,]+ parameters, fold 2/);
    assert.match(a.out, /finished after \d+ steps/);
    const ckpt = join(out, "au", "last.safetensors");
    const l = await runCli(t, "linear-eval", "--checkpoint", ckpt, "--epochs", "3", "--no-progress");
    assert.equal(l.code, 0, l.err);
    assert.doesNotMatch(l.stderr, /\d+\/\d+/);
    assert.match(l.out, /\| AU01 inner brow raiser \| \d+\.\d \|/);
    assert.match(l.out, /selected epoch \d on validation subjects/);
    const metrics = join(out, "au", "linear-eval", "metrics.json");
    assert.ok(existsSync(metrics) && existsSync(join(out, "au", "linear-eval", "f1.svg")));
    // The bar goes to stderr (outside a terminal, at start, every 10 s and at the end); --no_progress drops it, not the banner.
    assert.match(a.stderr, /step \d+\/\d+ \| epoch/);
    const s = await runCli(t, "train", ...common, "--exp_name", "sup", "--supervised", "--no_progress");
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /supervised ME-GraphAU baseline/);
    assert.doesNotMatch(s.stderr, /step \d+\/\d+/);
    const e = await runCli(t, "evaluate", "--checkpoint", join(out, "sup", "last.safetensors"), "--tune-thresholds");
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /\| \*\*mean\*\* \| \*\*\d+\.\d\*\* \|/);
    const tuned = JSON.parse(readFileSync(join(out, "sup", "evaluate", "metrics.json"), "utf8"));
    assert.equal(tuned.thresholds.length, 12);
    const m = await runCli(t, "evaluate", "--runs", metrics, "--runs", join(out, "sup", "evaluate", "metrics.json"), "--out", join(out, "mean"));
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /mean of 2/);
    // The supervised checkpoint plugs into detection; an AUNCE encoder is refused with the reason.
    const photo = fileURLToPath(new URL("../fixtures/face/synth/F001_T1_203.jpg", import.meta.url));
    const d = await runCli(t, "detect", "--no-progress", "--json", "-o", join(out, "faces.json"), "--model", join(out, "sup", "last.safetensors"), photo);
    assert.equal(d.code, 0, d.err);
    const faces = JSON.parse(readFileSync(join(out, "faces.json"), "utf8")) as { success: number; aus: Record<string, { probability: number }> }[];
    assert.equal(faces[0].success, 1);
    assert.equal(Object.keys(faces[0].aus).length, 12);
    assert.ok(Object.values(faces[0].aus).every((a) => a.probability >= 0 && a.probability <= 1));
    const refused = await runCli(t, "detect", "--no-progress", "--model", ckpt, photo);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /an AUNCE encoder outputs embeddings, not AU probabilities/);
    const again = await runCli(t, "train", ...common, "--exp_name", "au");
    assert.equal(again.code, 1);
    assert.match(again.err, /already holds a run; continue it with --resume/);
    const bad = await runCli(t, "train", "--dataset", "BP4D", "--data_root", prepared, "--batch_size", "1");
    assert.equal(bad.code, 1);
    assert.match(bad.err, /batch_size must be an integer >= 2/);
  });
});
