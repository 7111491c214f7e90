/**
 * Packs a supervised run (`aunce train --supervised`, evaluated with `aunce evaluate`) as the
 * bundled default AU model: weights and model metadata only (no optimizer/RNG state, no local
 * paths), plus the README stating what it was trained on and its measured F1 and AUC.
 *   node --import tsx scripts/make-default-model.ts <run dir> [out.safetensors]
 * What it was trained on is read from the run itself: its config (data_root), the prepared
 * folder's summary (frames per fold) and, for SynthAU data, the generator's synth.json.
 * The bundled model: scripts/train-default-model.sh, then this script (see docs/experiments.md).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readAunceCheckpoint, writeAunceCheckpoint } from "../src/models/checkpoint/index.ts";
import { f1Table } from "../src/eval/report.ts";
import type { Metrics } from "../src/eval/metrics.ts";

const run = process.argv[2];
const out = process.argv[3] ?? "assets/models/synthau-megraphau-resnet18w32.safetensors";
if (!run) throw new Error("usage: make-default-model.ts <run dir> [out.safetensors]");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const ck = await readAunceCheckpoint(join(run, "last.safetensors"));
const train = (ck.meta.config as { train: Record<string, unknown> }).train;
const metrics: Metrics = readJson(join(run, "evaluate", "metrics.json")).results[0].metrics;

// The data, from the run's own files.
const dataRoot = String(train.data_root);
const summary = readJson(join(dataRoot, "summary.json"));
const fold = summary.folds.find((f: { fold: number }) => f.fold === train.fold);
const imgRoot: string = readJson(join(dataRoot, "dataset.json")).imgRoot;
const synthJson = join(dirname(imgRoot), "synth.json");
const synth = existsSync(synthJson) ? readJson(synthJson) : null;
if (!synth) throw new Error(`${synthJson} not found: the bundled model must be trained on SynthAU (its README says so)`);
/** Distinct subjects (first path component) in a prepared image list. */
const subjectsIn = (split: string) =>
  new Set(readFileSync(join(dataRoot, "list", `BP4D_${split}_img_path_fold${train.fold}.txt`), "utf8").split("\n").filter(Boolean).map((l) => l.split("/")[0])).size;
const trainSubjects = subjectsIn("train");
const testSubjects = subjectsIn("test");
const data = `${synth.subjects} synthetic subjects x ${synth.sequences} sequences x ${synth.frames} frames at ${synth.size} px (SynthAU, BP4D-style, seed ${synth.seed})`;

// "always present" F1, the floor any detector must clear on this test set: 2p / (1 + p) per AU.
const alwaysPresent = metrics.perAu.reduce((s, a) => s + (2 * (a.positives / a.count)) / (1 + a.positives / a.count), 0) / metrics.perAu.length;

const keep = ["backbone", "crop_size", "epochs", "batch_size", "lr", "weight_decay", "seed", "fold", "supervised"];
const config = {
  model: (ck.meta.config as { model: unknown }).model,
  train: { ...Object.fromEntries(keep.map((k) => [k, train[k]])), dataset: data },
  evaluation: { fold: train.fold, testFrames: fold.test.frames, meanF1: metrics.meanF1, meanAuc: metrics.meanAuc, alwaysPresentF1: alwaysPresent, perAuF1: Object.fromEntries(metrics.perAu.map((m) => [m.au, m.f1])) },
};
await writeAunceCheckpoint(out, { meta: { ...ck.meta, config }, model: ck.model });
const table = f1Table([{ name: "F1 % (held-out synthetic subjects)", metrics }]);
const pct = (v: number) => (100 * v).toFixed(1);
writeFileSync(join(dirname(out), "README.md"), `# Bundled AU model

\`synthau-megraphau-resnet18w32.safetensors\` is what \`aunce detect\` and \`createAuDetector()\` use when
no model is given.

- **What**: the supervised ME-GraphAU stage-1 network (AU graph head with cosine scores) on a
  ResNet-18 layout at width 32 (\`resnet18_w32\`, ~2.9 M parameters, no ImageNet weights exist for it),
  inputs resized to ${train.crop_size}x${train.crop_size}; outputs the 12 BP4D AUs.
- **Trained on**: synthetic faces only — ${data}, by this project's own pipeline; fold ${train.fold}:
  trained on the ${trainSubjects} subjects of the other two fold parts (${fold.train.frames} frames),
  ${train.epochs} epochs, AdamW lr ${train.lr}, batch ${train.batch_size}, seed ${train.seed}, from scratch.
- **Measured** on the ${testSubjects} held-out synthetic subjects of fold ${train.fold} (${fold.test.frames} frames, threshold 0.5):

${table}

  Mean ROC-AUC ${pct(metrics.meanAuc)}% (50% = chance). For scale: answering "present" for every frame
  scores a mean F1 of ${pct(alwaysPresent)}% on these frames, so at the 0.5 threshold this model's F1 is
  ${metrics.meanF1 >= alwaysPresent ? "above" : "below"} that floor; its ranking (AUC) is what it has learnt.
  Treat it as a working default for trying the pipeline, not as a validated AU detector.
- **Not validated on real faces.** No licensed data (BP4D, DISFA) was used; expect it to be much
  weaker on photos than these synthetic numbers. Train your own with \`aunce train --supervised\` on
  real data and pass \`--model\`.
- **Licence**: MIT, like the project (the training data is generated from the MIT ICT-FaceKit subset
  in \`assets/facekit/\`).
- Made by \`scripts/train-default-model.sh\` (data, training, evaluation; ~30 min on the project's
  2-core machine) and \`scripts/make-default-model.ts\` (packing); docs/experiments.md compares it
  with the earlier, demo-trained model.
`);
console.log(`wrote ${out} and ${join(dirname(out), "README.md")}`);
