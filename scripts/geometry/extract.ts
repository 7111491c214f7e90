// Runs the inference path (FacePipeline: YuNet -> 68-point landmark net -> alignment -> AU model)
// on SynthAU frames listed in prepared fold lists and keeps, per frame, what the geometry study
// needs: the best face's 68 landmarks (frame pixels), its alignment, what it was aligned on, the
// image model's AU probabilities and the labels. Frames where no face is found are recorded as such.
//   node --import tsx scripts/geometry/extract.ts --prepared <dir> --fold 1 --out <file.json> [--every N] [--limit N]
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadavg } from "node:os";
import { defaultModelPath, loadAuModelFromCheckpoint } from "../../src/face/au-model.ts";
import { decodeImage } from "../../src/face/image.ts";
import { FacePipeline } from "../../src/face/pipeline.ts";

const arg = (name: string, def?: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : def);
const prepared = arg("--prepared");
const out = arg("--out");
if (!prepared || !out) throw new Error("usage: extract.ts --prepared <dir> --fold N --out <file.json> [--every N] [--limit N] [--split train|test|both]");
const fold = Number(arg("--fold", "1"));
const every = Number(arg("--every", "1"));
const limit = Number(arg("--limit", "Infinity"));
const splits = (arg("--split", "both") === "both" ? ["train", "test"] : [arg("--split")!]) as ("train" | "test")[];
const ds = JSON.parse(readFileSync(join(prepared, "dataset.json"), "utf8")) as { imgRoot: string; aus: number[] };
const modelPath = arg("--model") ?? defaultModelPath();
if (!modelPath) throw new Error("no AU model");
const model = await loadAuModelFromCheckpoint(modelPath, "cpu");
if (model.aus.join() !== ds.aus.join()) throw new Error(`model AUs ${model.aus} != dataset AUs ${ds.aus}`);
const pipeline = new FacePipeline(model, { minConfidence: 0.3 });

interface Frame { split: string; path: string; labels: number[]; found: boolean; score?: number; alignedOn?: string; landmarks?: number[]; alignment?: number[]; probabilities?: number[] }
const frames: Frame[] = [];
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const t0 = performance.now();
for (const split of splits) {
  const paths = readFileSync(join(prepared, "list", `BP4D_${split}_img_path_fold${fold}.txt`), "utf8").trim().split("\n");
  const labels = readFileSync(join(prepared, "list", `BP4D_${split}_label_fold${fold}.txt`), "utf8").trim().split("\n");
  let n = 0;
  for (let i = 0; i < paths.length && n < limit; i += every, n++) {
    const img = await decodeImage(join(ds.imgRoot, paths[i]));
    const faces = pipeline.analyze(img);
    const f: Frame = { split, path: paths[i], labels: labels[i].trim().split(/\s+/).map(Number), found: faces.length > 0 };
    if (faces.length) {
      const a = faces[0];
      Object.assign(f, { score: r4(a.box.score), alignedOn: a.alignedOn, landmarks: [...a.landmarks].map(r4), alignment: [...a.alignment].map((x) => Math.round(x * 1e7) / 1e7), probabilities: [...a.probabilities].map((x) => Math.round(x * 1e6) / 1e6) });
    }
    frames.push(f);
    if (frames.length % 500 === 0) console.error(`${frames.length} frames, ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(2)}`);
  }
}
const secs = (performance.now() - t0) / 1000;
console.error(`stage ms: ${JSON.stringify(Object.fromEntries(Object.entries(pipeline.times).map(([k, v]) => [k, Math.round(v)])))}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ prepared, fold, every, model: modelPath, aus: ds.aus, seconds: secs, load: loadavg()[0], frames }) + "\n");
const found = frames.filter((f) => f.found).length;
console.log(`${frames.length} frames, face found on ${found} (${((100 * found) / frames.length).toFixed(1)}%), aligned on 68 points: ${frames.filter((f) => f.alignedOn === "landmarks68").length}; ${secs.toFixed(0)} s, load ${loadavg()[0].toFixed(2)}`);
pipeline.dispose();
model.dispose?.();
