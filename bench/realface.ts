// The real-face check (src/face/realface-check.ts) on the six face-api demo photos of
// test/fixtures/face (22 faces) for the bundled AU model (or --model <checkpoint>), plain and with
// the opt-in mirror averaging, beside the held-out SynthAU F1/AUC its README records. A proxy, not
// a validation: see docs/realface.md.
// With --geometry <model.json> (repeatable), each landmark-geometry AU model is also checked alone
// and fused with the AU model (its own fusion: stacking, or the mean), on the same pipeline runs.
//   node --import tsx bench/realface.ts [--model ckpt.safetensors] [--geometry geom.json ...] [--json out.json]
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { defaultModelPath, loadAuModelFromCheckpoint } from "../src/face/au-model.ts";
import { FaceExpressionNet } from "../src/face/expression.ts";
import { decodeImage } from "../src/face/image.ts";
import { FacePipeline } from "../src/face/pipeline.ts";
import { fusionScorer, geometryScorer, loadGeometryModel } from "../src/face/geometry-au.ts";
import { checkRealFaces, formatRealFaceReport, type FaceScorer } from "../src/face/realface-check.ts";

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const modelPath = arg("--model") ?? defaultModelPath();
if (!modelPath) throw new Error("no bundled AU model found; pass --model <checkpoint>");
const geometryPaths = process.argv.flatMap((a, i) => (a === "--geometry" ? [process.argv[i + 1]] : []));
const files = ["group.jpg", "group2.jpg", "sample1.jpg", "sample2.jpg", "sample4.jpg", "sample5.jpg"];
const images = await Promise.all(files.map(async (f) => ({ name: f, image: await decodeImage(new URL(`../test/fixtures/face/${f}`, import.meta.url).pathname) })));

console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`model: ${modelPath}`);
if (!arg("--model")) {
  // The bundled model's README records its held-out SynthAU numbers (made with the model).
  const readme = readFileSync(new URL("../assets/models/README.md", import.meta.url), "utf8");
  const f1 = /\*\*mean\*\* \| \*\*([\d.]+)\*\*/.exec(readme)?.[1];
  const auc = /Mean ROC-AUC ([\d.]+)%/.exec(readme)?.[1];
  console.log(`held-out SynthAU (assets/models/README.md): mean F1 ${f1 ?? "not recorded"}%, mean ROC-AUC ${auc ?? "not recorded"}%`);
}
const model = await loadAuModelFromCheckpoint(modelPath, "cpu");
const expressions = FaceExpressionNet.load();
const out: Record<string, unknown> = { model: modelPath, load: loadavg()[0] };
// "mirror-averaged": the pipeline's mirrorAverage mode (every stage on the photo and its mirror,
// probabilities averaged per face), which makes a photo and its mirror agree by construction.
const runs: [string, typeof model, FaceScorer | undefined, boolean][] = [["plain", model, undefined, false], ["mirror-averaged", model, undefined, true]];
for (const path of geometryPaths) {
  const g = loadGeometryModel(path);
  const name = path.split("/").pop()!.replace(/\.json$/, "");
  runs.push([`geometry ${name}`, model, geometryScorer(g), false], [`fusion ${name} (${g.fusion ? "stacking" : "mean"})`, model, fusionScorer(g, model.aus), false]);
}
for (const [label, m, scorer, mirrorAverage] of runs) {
  const pipeline = new FacePipeline(m, { minConfidence: 0.3, mirrorAverage });
  const t = performance.now();
  const r = checkRealFaces(pipeline, expressions, images, { scorer });
  const ms = performance.now() - t;
  console.log(`\n## ${label} (${(ms / 1000).toFixed(1)} s for ${images.length} photos + mirrors, load ${loadavg()[0].toFixed(2)})`);
  console.log(formatRealFaceReport(r));
  out[label] = { aus: r.aus, perAu: r.perAu, overall: r.overall, baselines: r.baselines, flip: r.flip, labelled: r.labelled, faces: r.faces };
  pipeline.dispose();
  if (m !== model) m.dispose?.();
}
const json = arg("--json");
if (json) writeFileSync(json, JSON.stringify(out, null, 1) + "\n");
expressions.dispose();
model.dispose?.();
