// Issue 15 part 3 study: do landmark-geometry features help the AU model? On the frames
// extract.ts ran the inference path on (fold lists of a prepared SynthAU set), computes the
// geometry features (src/face/geometry/au-geometry.ts) from the landmark net's points and the
// pipeline's alignment, trains a per-AU logistic regression and a small MLP on the fold's training
// subjects and measures them on its test subjects beside the image model's probabilities from the
// same pipeline run and two late fusions (mean of probabilities; per-AU logistic stacking fitted on
// the training subjects). Only frames where the pipeline found a face are used, for every model.
//   node --import tsx scripts/geometry/study.ts --frames <extract.json> --out <dir> [--seed 1]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { computeMetrics, type Metrics } from "../../src/eval/metrics.ts";
import { geometryFeatures, GEOMETRY_FEATURE_COUNT } from "../../src/face/geometry/au-geometry.ts";
import { fitFusionStacking, fuseGeometry, predictGeometry, trainGeometryModel, type GeometryModelFile, type GeometryTrainOptions } from "../../src/face/geometry/geometry-model.ts";
import type { Affine } from "../../src/face/geometry/similarity.ts";

const arg = (name: string, def?: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const framesPath = arg("--frames");
const outDir = arg("--out");
if (!framesPath || !outDir) throw new Error("usage: study.ts --frames <extract.json> --out <dir> [--seed N]");
const seed = Number(arg("--seed", "1"));
mkdirSync(outDir, { recursive: true });

interface Frame { split: string; path: string; labels: number[]; found: boolean; landmarks?: number[]; alignment?: number[]; probabilities?: number[] }
const data = JSON.parse(readFileSync(framesPath, "utf8")) as { aus: number[]; fold: number; frames: Frame[]; seconds: number; load: number; model: string };
const aus = data.aus, K = aus.length, d = GEOMETRY_FEATURE_COUNT;

function split(name: string) {
  const all = data.frames.filter((f) => f.split === name);
  const fr = all.filter((f) => f.found);
  const X = new Float32Array(fr.length * d), Y = new Float32Array(fr.length * K), P = new Float32Array(fr.length * K);
  fr.forEach((f, i) => {
    X.set(geometryFeatures(f.landmarks!, f.alignment as Affine), i * d);
    Y.set(f.labels, i * K);
    P.set(f.probabilities!, i * K);
  });
  return { frames: all.length, found: fr.length, subjects: new Set(fr.map((f) => f.path.split("/")[0])).size, X, Y, P };
}
const train = split("train"), test = split("test");

const predictAll = (m: GeometryModelFile, X: Float32Array) => {
  const n = X.length / d, out = new Float32Array(n * K);
  for (let i = 0; i < n; i++) out.set(predictGeometry(m, X.subarray(i * d, (i + 1) * d)), i * K);
  return out;
};
const mean2 = (a: Float32Array, b: Float32Array) => a.map((x, i) => (x + b[i]) / 2);
const results: Record<string, Metrics> = {};
const timing: Record<string, number> = {};
const recipes: Record<string, GeometryTrainOptions> = {
  "geometry-logistic": { hidden: 0, epochs: 40, batchSize: 128, lr: 3e-3, weightDecay: 1e-4, seed, mirror: true },
  "geometry-mlp": { hidden: 64, epochs: 40, batchSize: 128, lr: 2e-3, weightDecay: 1e-4, seed, mirror: true },
};
results["image"] = computeMetrics(test.P, test.Y, aus);
const stackWeights: Record<string, number[][]> = {};
for (const [name, recipe] of Object.entries(recipes)) {
  const t = performance.now();
  const model = trainGeometryModel(train.X, train.Y, aus, { ...recipe, meta: { data: framesPath, fold: data.fold, trainFrames: train.found, trainSubjects: train.subjects } });
  timing[name] = (performance.now() - t) / 1000;
  const geoTe = predictAll(model, test.X), geoTr = predictAll(model, train.X);
  results[name] = computeMetrics(geoTe, test.Y, aus);
  results[`fusion-mean(image, ${name})`] = computeMetrics(mean2(test.P, geoTe), test.Y, aus);
  // Stacking fitted on the training subjects, where the image model's outputs are those of its own
  // training data: it may over-trust the image model.
  const stacked: GeometryModelFile = { ...model, fusion: fitFusionStacking(train.P, geoTr, train.Y, K) };
  stackWeights[name] = stacked.fusion!.bias.map((b, k) => [b, stacked.fusion!.image[k], stacked.fusion!.geometry[k]]);
  const fused = new Float32Array(test.P.length);
  for (let i = 0; i < test.found; i++) fused.set(fuseGeometry(stacked, aus, test.P.subarray(i * K, (i + 1) * K), geoTe.subarray(i * K, (i + 1) * K)), i * K);
  results[`fusion-stack(image, ${name})`] = computeMetrics(fused, test.Y, aus);
  writeFileSync(join(outDir, `${name}-stack.json`), JSON.stringify(stacked) + "\n");
  // Also how the geometry model fits its own training subjects (over-fitting check).
  results[`${name} (train subjects)`] = computeMetrics(geoTr, train.Y, aus);
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(model) + "\n");
}
results["image (train subjects)"] = computeMetrics(train.P, train.Y, aus);

const pct = (x: number) => (100 * x).toFixed(1);
const names = Object.keys(results).filter((n) => !n.includes("train subjects"));
const lines = [
  `Fold ${data.fold}: train ${train.found}/${train.frames} frames with a face found (${train.subjects} subjects), test ${test.found}/${test.frames} (${test.subjects} subjects); the pipeline run took ${data.seconds.toFixed(0)} s at load ${data.load.toFixed(2)}.`,
  `Image model: ${data.model} through the same pipeline run. Seed ${seed}. Load now ${loadavg()[0].toFixed(2)}.`,
  "",
  "Held-out test subjects, F1 % at threshold 0.5 (ROC-AUC % below):",
  "",
  `| AU | ${names.join(" | ")} |`,
  `|---|${names.map(() => "---:").join("|")}|`,
  ...aus.map((au, k) => `| AU${String(au).padStart(2, "0")} | ${names.map((n) => pct(results[n].perAu[k].f1)).join(" | ")} |`),
  `| **mean F1** | ${names.map((n) => `**${pct(results[n].meanF1)}**`).join(" | ")} |`,
  `| mean ROC-AUC | ${names.map((n) => pct(results[n].meanAuc)).join(" | ")} |`,
  "",
  "Per-AU ROC-AUC %:",
  "",
  `| AU | ${names.join(" | ")} |`,
  `|---|${names.map(() => "---:").join("|")}|`,
  ...aus.map((au, k) => `| AU${String(au).padStart(2, "0")} | ${names.map((n) => pct(results[n].perAu[k].auc)).join(" | ")} |`),
  "",
  `Training subjects (fit, not generalisation): mean F1 ${Object.keys(results).filter((n) => n.includes("train subjects")).map((n) => `${n} ${pct(results[n].meanF1)}`).join(", ")}.`,
  `Training time: ${Object.entries(timing).map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(", ")}.`,
];
const report = lines.join("\n");
console.log(report);
writeFileSync(join(outDir, "study.md"), report + "\n");
writeFileSync(join(outDir, "study.json"), JSON.stringify({ frames: framesPath, fold: data.fold, seed, load: loadavg()[0], train: { frames: train.frames, found: train.found, subjects: train.subjects }, test: { frames: test.frames, found: test.found, subjects: test.subjects }, recipes, timing, stackWeights, results }, null, 1) + "\n");
