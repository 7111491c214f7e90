// Packs the geometry study's chosen model as the optional bundled geometry AU model and writes the
// numbers where people read them, all from the run's files (nothing typed by hand):
//   assets/models/synthau-geometry-logistic.json      the weights (+ data, recipe, measures in meta)
//   assets/models/synthau-geometry-logistic.md        its README
//   docs/results/geometry.json                        the study's and the real-face check's numbers
//   docs/realface.md                                  the section between the geometry markers
//   node --import tsx scripts/geometry/make-model.ts --study experiments/geometry/fold1-study --realface experiments/geometry/realface.json [--model geometry-logistic] [--other-seeds dirA,dirB]
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GEOMETRY_DISTANCES } from "../../src/face/geometry/au-geometry.ts";
import { validateGeometryModel } from "../../src/face/geometry/geometry-model.ts";
import { PROTOTYPE_RULES } from "../../src/face/realface-check.ts";

const arg = (name: string, def?: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const studyDir = arg("--study"), realfacePath = arg("--realface");
if (!studyDir || !realfacePath) throw new Error("usage: make-model.ts --study <dir> --realface <realface.json> [--model geometry-logistic]");
const name = arg("--model", "geometry-logistic")!;
const root = new URL("../../", import.meta.url).pathname;

interface AuM { au: number; f1: number; auc: number }
interface M { perAu: AuM[]; meanF1: number; meanAuc: number }
interface Agreement { agree: number; total: number; rate: number }
interface Check { perAu: ({ au: number } & Agreement)[]; overall: Agreement; baselines: { allPresent: Agreement; allAbsent: Agreement }; flip: { matched: number; consistent: number; maxDiff: number; meanAbsDiff: number[] }; labelled: Record<string, number>; aus: number[] }
const study = JSON.parse(readFileSync(join(studyDir, "study.json"), "utf8")) as { fold: number; seed: number; load: number; train: { frames: number; found: number; subjects: number }; test: { frames: number; found: number; subjects: number }; recipes: Record<string, unknown>; results: Record<string, M>; frames: string };
const frames = JSON.parse(readFileSync(study.frames, "utf8")) as { prepared: string; seconds: number; load: number; model: string };
const realface = JSON.parse(readFileSync(realfacePath, "utf8")) as Record<string, Check | string | number>;
const model = validateGeometryModel(JSON.parse(readFileSync(join(studyDir, `${name}.json`), "utf8")));

const otherSeeds = (arg("--other-seeds") ?? "").split(",").filter(Boolean).map((dir) => JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as { seed: number; results: Record<string, { meanF1: number; meanAuc: number }> });
const pct = (x: number) => (Number.isNaN(x) ? "n/a" : (100 * x).toFixed(1));
const R = study.results;
const fusionKey = `fusion-mean(image, ${name})`;
const checks = Object.entries(realface).filter((e): e is [string, Check] => typeof e[1] === "object" && e[1] !== null && "overall" in e[1]);
const check = (label: string) => checks.find(([k]) => k === label)?.[1];
const plain = check("plain")!, geo = check(`geometry ${name}`)!, fused = check(`fusion ${name} (mean)`)!;
if (!plain || !geo || !fused) throw new Error(`${realfacePath} lacks the plain, "geometry ${name}" or "fusion ${name} (mean)" run`);
const meanFlip = (c: Check) => c.flip.meanAbsDiff.reduce((a, b) => a + b, 0) / c.flip.meanAbsDiff.length;

const measures = {
  heldOutSynthAU: {
    fold: study.fold, testSubjects: study.test.subjects, testFrames: study.test.found,
    image: { meanF1: R.image.meanF1, meanAuc: R.image.meanAuc }, geometry: { meanF1: R[name].meanF1, meanAuc: R[name].meanAuc }, fusion: { meanF1: R[fusionKey].meanF1, meanAuc: R[fusionKey].meanAuc },
  },
  realFaceCheck: { image: plain.overall, geometry: geo.overall, fusion: fused.overall, baselines: plain.baselines },
};
const asset = { ...model, meta: { ...model.meta, data: `SynthAU photo domain (${frames.prepared}), fold ${study.fold} training subjects`, licence: "MIT", measures } };
const assetPath = join(root, "assets/models/synthau-geometry-logistic.json");
const text = JSON.stringify(asset) + "\n";
writeFileSync(assetPath, text);
const sha = createHash("sha256").update(text).digest("hex");

const runNames = Object.keys(R).filter((n) => !n.includes("train subjects"));
const studyTable = [
  `| AU | ${runNames.join(" | ")} |`,
  `|---|${runNames.map(() => "---:").join("|")}|`,
  ...R.image.perAu.map((a, k) => `| AU${String(a.au).padStart(2, "0")} | ${runNames.map((n) => `${pct(R[n].perAu[k].f1)} / ${pct(R[n].perAu[k].auc)}`).join(" | ")} |`),
  `| **mean** | ${runNames.map((n) => `**${pct(R[n].meanF1)} / ${pct(R[n].meanAuc)}**`).join(" | ")} |`,
].join("\n");
const allAus = [...new Set(checks.flatMap(([, c]) => c.perAu.map((p) => p.au)))].sort((a, b) => a - b);
const cell = (c: Check, au: number) => { const p = c.perAu.find((x) => x.au === au); return p ? `${p.agree} / ${p.total}` : "-"; };
const checkTable = [
  `| run | ${allAus.map((a) => `AU${String(a).padStart(2, "0")}`).join(" | ")} | **all** | mirror: faces within 0.05 | max / mean \\|dp\\| |`,
  `|---|${allAus.map(() => "---:").join("|")}|---:|---:|---:|`,
  ...checks.map(([k, c]) => `| ${k} | ${allAus.map((a) => cell(c, a)).join(" | ")} | **${c.overall.agree} / ${c.overall.total} (${pct(c.overall.rate)}%)** | ${c.flip.consistent} / ${c.flip.matched} | ${c.flip.maxDiff.toFixed(2)} / ${meanFlip(c).toFixed(3)} |`),
  `| *every AU present* | ${allAus.map(() => "").join(" | ")} | **${plain.baselines.allPresent.agree} / ${plain.baselines.allPresent.total} (${pct(plain.baselines.allPresent.rate)}%)** | | |`,
  `| *every AU absent* | ${allAus.map(() => "").join(" | ")} | **${plain.baselines.allAbsent.agree} / ${plain.baselines.allAbsent.total} (${pct(plain.baselines.allAbsent.rate)}%)** | | |`,
].join("\n");
const gains = R.image.perAu.map((a, k) => ({ au: a.au, d: R[fusionKey].perAu[k].auc - a.auc })).sort((a, b) => b.d - a.d).filter((g) => g.d > 0.02).slice(0, 4);
const gainText = gains.length ? `, most in ROC-AUC on ${gains.map((g) => `AU${g.au} (+${pct(g.d)})`).join(", ")}` : "";
const labelled = Object.entries(plain.labelled).map(([e, n]) => `${e} ${n}`).join(", ");

// The reading says what the numbers say, whichever way they fall.
const dF1 = R[fusionKey].meanF1 - R.image.meanF1, dAuc = R[fusionKey].meanAuc - R.image.meanAuc;
const fusionWord = dF1 > 0 && dAuc > 0 ? "adds to it" : dF1 <= 0 && dAuc <= 0 ? "does not add to it" : "moves it both ways";
const dPairs = fused.overall.agree - plain.overall.agree;
// A labelled face carries at most this many rules, so a change up to it can be one face.
const rulesPerFace = Math.max(...Object.keys(plain.labelled).map((e) => PROTOTYPE_RULES.filter((r) => r.expression === e && plain.aus.includes(r.au)).length));
const au4 = plain.perAu.find((p) => p.au === 4), geoAu4 = geo.perAu.find((p) => p.au === 4);
const reading = [
  `On held-out SynthAU the geometry model alone is ${R[name].meanF1 < R.image.meanF1 ? "below" : "not below"} the image model (mean F1 ${pct(R[name].meanF1)} vs ${pct(R.image.meanF1)}),`,
  `and the mean fusion ${fusionWord} (F1 ${pct(R[fusionKey].meanF1)} vs ${pct(R.image.meanF1)}, ROC-AUC ${pct(R[fusionKey].meanAuc)} vs ${pct(R.image.meanAuc)})${gainText}.`,
  // Every happy face carries one "AU4 absent" rule: most AU4 rules are smiles when they outnumber the rest.
  au4 && geoAu4 && geoAu4.agree < au4.agree && 2 * (plain.labelled.happy ?? 0) > au4.total
    ? `On the real faces the geometry model alone keeps ${cell(geo, 4)} AU4 rules (the image model ${cell(plain, 4)}); most of those rules are "AU4 absent" on smiles, so the synthetic faces' brow-to-eye geometry does not transfer to the landmark net's points on photos.`
    : `On the real faces the geometry model alone keeps ${cell(geo, 4)} AU4 rules (the image model ${cell(plain, 4)}).`,
  `Fused with the image model by the mean, the check goes from ${plain.overall.agree} / ${plain.overall.total} to ${fused.overall.agree} / ${fused.overall.total} pairs and the mean mirror difference from ${meanFlip(plain).toFixed(3)} to ${meanFlip(fused).toFixed(3)};`,
  dPairs === 0 ? "the same count." : Math.abs(dPairs) <= rulesPerFace
    ? `${dPairs > 0 ? "a gain" : "a loss"} of ${Math.abs(dPairs)} pair(s), which with this few faces is within what one face changes (a face carries up to ${rulesPerFace} rules).`
    : `${dPairs > 0 ? "a gain" : "a loss"} of ${Math.abs(dPairs)} pairs, more than one face's rules (up to ${rulesPerFace}).`,
].join(" ");

const section = `<!-- geometry:begin (generated by scripts/geometry/make-model.ts from the run's files; do not edit) -->
## Landmark-geometry AU model and fusion (issue 15 part 3)

Features (\`src/face/geometry/au-geometry.ts\`, ${model.features}): the landmark net's 68 points
mapped by the pipeline's alignment into the template crop, centred on the eyes-and-nose fit points,
divided by the inter-ocular distance, minus the template shape (136 values), plus ${GEOMETRY_DISTANCES.length}
left-right-averaged distances (${GEOMETRY_DISTANCES.map((d) => d.name).join(", ")}).
Models (\`src/face/geometry/geometry-model.ts\`, plain TypeScript): per-AU logistic regression and a
64-unit MLP, class-balanced BCE, Adam, seed ${study.seed}, trained with mirrored copies and averaged with the
mirrored face at inference.

**Data**: the inference path itself (YuNet -> landmark net -> alignment -> bundled image model
\`${frames.model.split("/").pop()}\`,
\`scripts/geometry/extract.ts\`, 1 thread, ${frames.seconds.toFixed(0)} s at load ${frames.load.toFixed(1)}) on the 112 px SynthAU photo-domain
frames of fold ${study.fold}: a face was found on ${study.train.found} of ${study.train.frames} training frames (${study.train.subjects} subjects) and
${study.test.found} of ${study.test.frames} test frames (${study.test.subjects} held-out subjects); every model is scored on those same ${study.test.found} frames.
The image model's column is the bundled model through that pipeline (on the dataset's own crops
its README records higher numbers). Stacking is fitted on the training subjects
(\`scripts/geometry/study.ts\`, load ${study.load.toFixed(1)}).

Held-out SynthAU, F1 % / ROC-AUC % at threshold 0.5:

${studyTable}

${otherSeeds.length ? `Other training seeds (same frames), mean F1 / ROC-AUC: ${otherSeeds.map((o) => `seed ${o.seed}: ${Object.keys(o.results).filter((n) => !n.includes("train subjects")).map((n) => `${n} ${pct(o.results[n].meanF1)} / ${pct(o.results[n].meanAuc)}`).join(", ")}`).join("; ")}.\n\n` : ""}Real-face check (${labelled} labelled faces; agree / rules per AU; same pipeline runs, minConfidence 0.3):

${checkTable}

**Reading.** ${reading} It is shipped as an **optional**
component (off by default: \`aunce detect --geometry\`, \`createAuDetector({ geometry: true })\`, the
browser's \`models.geometry\`), not as the default. Numbers: \`docs/results/geometry.json\`.
<!-- geometry:end -->`;
const docPath = join(root, "docs/realface.md");
const doc = readFileSync(docPath, "utf8");
const begin = doc.indexOf("<!-- geometry:begin"), end = doc.indexOf("<!-- geometry:end -->");
writeFileSync(docPath, begin >= 0 && end > begin ? doc.slice(0, begin) + section + doc.slice(end + "<!-- geometry:end -->".length) : doc.trimEnd() + "\n\n" + section + "\n");

writeFileSync(join(root, "docs/results/geometry.json"), JSON.stringify({ study: { ...study, frames: undefined }, otherSeeds: otherSeeds.map((o) => ({ seed: o.seed, results: Object.fromEntries(Object.entries(o.results).map(([k, v]) => [k, { meanF1: v.meanF1, meanAuc: v.meanAuc }])) })), extract: { prepared: frames.prepared, seconds: frames.seconds, load: frames.load, model: frames.model.replace(root, "") }, realface: Object.fromEntries(checks.map(([k, c]) => [k, { perAu: c.perAu, overall: c.overall, baselines: c.baselines, flip: c.flip, labelled: c.labelled }])), realfaceLoad: realface.load }, null, 1) + "\n");

const readme = `# Optional geometry AU model

\`synthau-geometry-logistic.json\` (${(text.length / 1024).toFixed(0)} KiB, sha256 \`${sha}\`) is the landmark-geometry AU
model that \`aunce detect --geometry\`, \`createAuDetector({ geometry: true })\` and the browser's
\`models.geometry\` fuse with the image model (mean of probabilities per AU). **Off by default.**

- **What**: per-AU logistic regression on ${model.mean.length} landmark-geometry features (${model.features}:
  normalised aligned landmark offsets from the ${model.template} template and ${GEOMETRY_DISTANCES.length} AU distances),
  standardised; averaged with itself on the mirrored face. AUs: ${model.aus.join(", ")}.
- **Trained on**: synthetic faces only — SynthAU photo domain, fold ${study.fold}'s ${study.train.subjects} training subjects
  (${study.train.found} frames where the pipeline found a face), the landmarks being the landmark net's on those
  frames (the path inference uses). Recipe: ${JSON.stringify(study.recipes[name])}, class-balanced BCE.
- **Measured** on fold ${study.fold}'s ${study.test.subjects} held-out synthetic subjects (${study.test.found} frames, threshold 0.5): geometry alone
  mean F1 ${pct(R[name].meanF1)}%, ROC-AUC ${pct(R[name].meanAuc)}%; the bundled image model through the same pipeline
  ${pct(R.image.meanF1)}% / ${pct(R.image.meanAuc)}%; fused ${pct(R[fusionKey].meanF1)}% / ${pct(R[fusionKey].meanAuc)}%.
  Real-face check (a proxy, not a validation; docs/realface.md): image ${plain.overall.agree}/${plain.overall.total}, geometry
  alone ${geo.overall.agree}/${geo.overall.total}, fused ${fused.overall.agree}/${fused.overall.total} (every AU present: ${plain.baselines.allPresent.agree}/${plain.baselines.allPresent.total}).
- **Not validated on real faces**; alone it over-predicts AU4 on photos. Use it fused, if at all.
- **Licence**: MIT, like the project. Made by \`scripts/geometry/extract.ts\`, \`study.ts\` and
  \`make-model.ts\` (docs/realface.md).
`;
writeFileSync(join(root, "assets/models/synthau-geometry-logistic.md"), readme);
console.log(`wrote ${assetPath} (${text.length} bytes, sha256 ${sha}), its README, docs/results/geometry.json and the docs/realface.md section`);
