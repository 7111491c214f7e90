/**
 * Packs a supervised run (`aunce train --supervised`, evaluated with `aunce evaluate`) as the
 * bundled default AU model: weights and model metadata only (no optimizer/RNG state, no local
 * paths), plus the README stating what it was trained on and its measured F1.
 *   node --import tsx scripts/make-default-model.ts <run dir> [out.safetensors]
 * The bundled model came from `aunce demo` (its runs/supervised folder).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readAunceCheckpoint, writeAunceCheckpoint } from "../src/models/checkpoint/index.ts";
import { f1Table } from "../src/eval/report.ts";

const run = process.argv[2];
const out = process.argv[3] ?? "assets/models/synthau-megraphau-resnet18w32.safetensors";
if (!run) throw new Error("usage: make-default-model.ts <run dir> [out.safetensors]");
const ck = await readAunceCheckpoint(join(run, "last.safetensors"));
const train = (ck.meta.config as { train: Record<string, unknown> }).train;
const metrics = JSON.parse(readFileSync(join(run, "evaluate", "metrics.json"), "utf8"));
const keep = ["backbone", "crop_size", "epochs", "batch_size", "lr", "weight_decay", "seed", "fold", "supervised"];
const config = {
  model: (ck.meta.config as { model: unknown }).model,
  train: { ...Object.fromEntries(keep.map((k) => [k, train[k]])), dataset: "SynthAU, BP4D-style (aunce demo defaults)" },
  evaluation: { fold: train.fold, meanF1: metrics.results[0].metrics.meanF1, perAuF1: Object.fromEntries(metrics.results[0].metrics.perAu.map((m: { au: number; f1: number }) => [m.au, m.f1])) },
};
await writeAunceCheckpoint(out, { meta: { ...ck.meta, config }, model: ck.model });
const table = f1Table([{ name: "F1 % (held-out synthetic subjects)", metrics: metrics.results[0].metrics }]);
writeFileSync(join(dirname(out), "README.md"), `# Bundled AU model

\`synthau-megraphau-resnet18w32.safetensors\` is what \`aunce detect\` and \`createAuDetector()\` use when
no model is given.

- **What**: the supervised ME-GraphAU stage-1 network (AU graph head with cosine scores) on a
  ResNet-18 layout at width 32 (\`resnet18_w32\`, ~0.7 M parameters, no ImageNet weights exist for it),
  inputs resized to ${train.crop_size}x${train.crop_size}; outputs the 12 BP4D AUs.
- **Trained on**: synthetic faces only — SynthAU, BP4D-style, as \`npm run demo\` generates them
  (9 synthetic subjects x 3 sequences x 30 frames at 112 px; fold 1: trained on the 6 subjects of parts 1-2,
  ${train.epochs} epochs, AdamW lr ${train.lr}, batch ${train.batch_size}, seed ${train.seed}), by this project's own pipeline.
- **Measured** on the 3 held-out synthetic subjects of fold 1 (threshold 0.5):

${table}

  Mean ROC-AUC on those subjects: ${(100 * metrics.results[0].metrics.meanAuc).toFixed(1)}% (50% = chance) against
  about 90% on its training subjects: with 6 synthetic identities it mostly learnt those identities
  (see docs/experiments.md). Treat it as a working default for the pipeline, not as an AU detector.
- **Not validated on real faces.** No licensed data (BP4D, DISFA) was used; expect it to be much
  weaker on photos than these synthetic numbers. Train your own with \`aunce train --supervised\` on
  real data and pass \`--model\`.
- **Licence**: MIT, like the project (the training data is generated from the MIT ICT-FaceKit subset
  in \`assets/facekit/\`).
- Made by \`scripts/make-default-model.ts\` from the demo's \`runs/supervised\` folder.
`);
console.log(`wrote ${out} and ${join(dirname(out), "README.md")}`);
