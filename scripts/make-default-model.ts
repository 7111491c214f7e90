/**
 * Packs a supervised run (`aunce train --supervised`, measured by scripts/train-photo-model.sh or
 * scripts/train-default-model.sh) as the bundled default AU model: weights and model metadata only
 * (no optimizer/RNG state, no local paths), plus assets/models/README.md stating what it was trained
 * on, its measured held-out SynthAU F1/AUC, its real-face check, its size and sha256.
 *   node --import tsx scripts/make-default-model.ts <run dir> [out.safetensors]
 * Read from the run: last.safetensors; evaluate-lab/ (or evaluate/) and evaluate-photo/ metrics
 * (`aunce evaluate`); realface.json (bench/realface.ts --json). What it was trained on comes from
 * the run's config (data_root), the prepared folder's summary and the generator's synth.json.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fromRun } from "./run-files.ts";
import { readAunceCheckpoint, writeAunceCheckpoint } from "../src/models/checkpoint/index.ts";
import { f1Table } from "../src/eval/report.ts";

import type { Metrics } from "../src/eval/metrics.ts";

const run = process.argv[2];
if (!run) throw new Error("usage: make-default-model.ts <run dir> [out.safetensors]");
const readJson = (p: string) => JSON.parse(readFileSync(p, "utf8"));
const ck = await readAunceCheckpoint(join(run, "last.safetensors"));
const train = (ck.meta.config as { train: Record<string, unknown> }).train;
const backbone = String(train.backbone);
const out = process.argv[3] ?? `assets/models/synthau-megraphau-${backbone.replace(/_/g, "-")}.safetensors`;
const metricsIn = (dir: string): Metrics | null => (existsSync(join(run, dir, "metrics.json")) ? readJson(join(run, dir, "metrics.json")).results[0].metrics : null);
const lab = metricsIn("evaluate-lab") ?? metricsIn("evaluate");
const photo = metricsIn("evaluate-photo");
if (!lab) throw new Error(`${run}: no evaluate-lab/metrics.json or evaluate/metrics.json (run aunce evaluate first)`);
const realface = existsSync(join(run, "realface.json")) ? readJson(join(run, "realface.json")) : null;

// The data, from the run's own files.
const dataRoot = fromRun(run, train, String(train.data_root));
const summary = readJson(join(dataRoot, "summary.json"));
const fold = summary.folds.find((f: { fold: number }) => f.fold === train.fold);
const imgRoot: string = readJson(join(dataRoot, "dataset.json")).imgRoot;
const synthJson = join(dirname(fromRun(run, train, imgRoot)), "synth.json");
const synth = existsSync(synthJson) ? readJson(synthJson) : null;
if (!synth) throw new Error(`${synthJson} not found: the bundled model must be trained on SynthAU (its README says so)`);
const subjectsIn = (split: string) =>
  new Set(readFileSync(join(dataRoot, "list", `BP4D_${split}_img_path_fold${train.fold}.txt`), "utf8").split("\n").filter(Boolean).map((l) => l.split("/")[0])).size;
const trainSubjects = subjectsIn("train");
const testSubjects = subjectsIn("test");
const domain = String(synth.domain ?? "lab");
const data = `${synth.subjects} synthetic subjects x ${synth.sequences} sequences x ${synth.frames} frames at ${synth.size} px (SynthAU, BP4D-style, seed ${synth.seed}, ${domain} domain)`;

// "always present" F1, the floor any detector must clear on this test set: 2p / (1 + p) per AU.
const alwaysPresentOf = (m: Metrics) => m.perAu.reduce((s, a) => s + (2 * (a.positives / a.count)) / (1 + a.positives / a.count), 0) / m.perAu.length;
const alwaysPresent = alwaysPresentOf(lab);

const keep = ["backbone", "freeze_backbone", "crop_size", "epochs", "batch_size", "lr", "lr_decay_last_epochs", "weight_decay", "seed", "fold", "supervised"];
const config = {
  model: (ck.meta.config as { model: unknown }).model,
  train: { ...Object.fromEntries(keep.map((k) => [k, train[k]])), dataset: data },
  evaluation: {
    fold: train.fold, testFrames: fold.test.frames, meanF1: lab.meanF1, meanAuc: lab.meanAuc, alwaysPresentF1: alwaysPresent, perAuF1: Object.fromEntries(lab.perAu.map((m) => [m.au, m.f1])),
    ...(photo ? { photoDomain: { meanF1: photo.meanF1, meanAuc: photo.meanAuc } } : {}),
    ...(realface ? { realFaceCheck: { agree: realface.plain.overall.agree, total: realface.plain.overall.total, allPresent: realface.plain.baselines.allPresent.agree } } : {}),
  },
};
await writeAunceCheckpoint(out, { meta: { ...ck.meta, config }, model: ck.model });
const bytes = readFileSync(out);
const sha256 = createHash("sha256").update(bytes).digest("hex");
const mib = (statSync(out).size / 2 ** 20).toFixed(1);

const pct = (v: number) => (100 * v).toFixed(1);
const faceApi = backbone.startsWith("faceapi_");
const frozen = train.freeze_backbone === true;
const what = faceApi
  ? `the supervised ME-GraphAU stage-1 network (AU graph head with cosine scores) on \`${backbone}\`: ` +
    `face-api's ${backbone === "faceapi_expression" ? "face-expression" : "face-recognition"} network (MIT, trained by face-api.js on real faces; ` +
    `weights and origin in \`assets/face-api/\`), ${frozen ? "**frozen**: its weights are face-api's, only the head was trained" : "fine-tuned"}`
  : `the supervised ME-GraphAU stage-1 network (AU graph head with cosine scores) on \`${backbone}\`, from scratch (no pretrained weights exist for it here)`;
const table = f1Table([
  { name: "F1 %, lab-domain renders", metrics: lab },
  ...(photo ? [{ name: "F1 %, photo-domain renders", metrics: photo }] : []),
]);
const rf = realface?.plain;
const rfRows = rf
  ? rf.perAu.map((a: { au: number; agree: number; total: number }) => `| AU${String(a.au).padStart(2, "0")} | ${a.agree} / ${a.total} |`).join("\n")
  : "";
const realfaceText = rf
  ? `- **Real-face check** (a proxy, not a validation: \`npm run bench -- realface\`, docs/realface.md): on the
  ${rf.faces.length} faces of the six real photos in \`test/fixtures/face/\`, the ${Object.values(rf.labelled as Record<string, number>).reduce((s, v) => s + v, 0)} faces face-api's
  expression net is sure of (p >= 0.9) get FACS/EMFACS prototype rules (happy: AU6, AU12 present, AU4
  absent; ...). This model agrees with **${rf.overall.agree} of ${rf.overall.total}** rules (${pct(rf.overall.rate)}%), against
  ${rf.baselines.allPresent.agree} / ${rf.overall.total} for answering "every AU present" and ${rf.baselines.allAbsent.agree} / ${rf.overall.total} for "every AU absent":

| AU | rules agreed / applicable |
|---|---:|
${rfRows}

  Mirror flips: ${rf.flip.consistent} of ${rf.flip.matched} faces within 0.05 on every AU (largest difference ${rf.flip.maxDiff.toFixed(2)}, mean |dp| per AU ${Math.min(...rf.flip.meanAbsDiff).toFixed(2)}-${Math.max(...rf.flip.meanAbsDiff).toFixed(2)}; \`--mirror_average\` makes them agree).${
    backbone === "faceapi_expression"
      ? `
  **Caveat**: the check's weak labels come from face-api's expression net, and this model's backbone
  started from that net's feature extractor, so its agreement is likely inflated: read it as "not
  worse", not as a measured gain.`
      : ""
  }`
  : "- **Real-face check**: not run for this model.";

writeFileSync(join(dirname(out), "README.md"), `# Bundled AU model

\`${basename(out)}\` is what \`aunce detect\` and \`createAuDetector()\` use when no model is given.
Generated by \`scripts/make-default-model.ts\` from the run's own files.

- **File**: ${mib} MiB, sha256 \`${sha256}\`.
- **What**: ${what}; inputs are aligned faces resized to ${train.crop_size}x${train.crop_size}; outputs the 12 BP4D AUs.
- **Trained on**: synthetic faces only — ${data}, by this project's own pipeline; fold ${train.fold}:
  trained on the ${trainSubjects} subjects of the other two fold parts (${fold.train.frames} frames),
  ${train.epochs} epochs, AdamW lr ${train.lr}${Number(train.lr_decay_last_epochs) > 1 ? ` (x0.1 for the last ${train.lr_decay_last_epochs} epochs)` : ""}, batch ${train.batch_size}, seed ${train.seed}.
- **Measured** on the ${testSubjects} held-out synthetic subjects of fold ${train.fold} (${fold.test.frames} frames, threshold 0.5).
  The lab-domain column is the same subjects, labels and seed rendered in SynthAU's lab look, comparable
  with the earlier bundled models:

${table}

  Mean ROC-AUC ${pct(lab.meanAuc)}% on lab-domain renders${photo ? `, ${pct(photo.meanAuc)}% on photo-domain renders` : ""} (50% = chance). For scale: answering "present" for every frame
  scores a mean F1 of ${pct(alwaysPresent)}% on these frames.
${realfaceText}
- **Not validated on real faces.** No AU-coded real data (BP4D, DISFA) was used; the real-face check
  only tests a few expression prototypes on 22 faces. Expect it to be weaker on photos than the
  synthetic numbers. Train your own with \`aunce train --supervised\` on real data and pass \`--model\`.
- **Licence**: MIT, like the project (the training data is generated from the MIT ICT-FaceKit subset
  in \`assets/facekit/\`${faceApi ? "; the backbone's weights are face-api's, MIT, `assets/face-api/LICENSE`" : ""}).
- Made by \`scripts/train-default-model.sh\` (data, training, the three measures, through
  \`scripts/train-photo-model.sh\`) and
  \`scripts/make-default-model.ts\` (packing); docs/realface.md says how it was chosen.
`);
console.log(`wrote ${out} (${mib} MiB, sha256 ${sha256}) and ${join(dirname(out), "README.md")}`);
