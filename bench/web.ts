// Browser throughput of the web build: headless Debian chromium (playwright-core), a 640x480
// one-face fake camera (Y4M from the group photo's rightmost face), onnxruntime-web on wasm with
// threads (SIMD; cross-origin isolated page from scripts/web/serve.ts):
//   node --import tsx bench/web.ts [--seconds 8] [--threads 2] [--detector-size 640] [--models DIR | --standin | --bundled]
// `--bundled` exports the bundled default AU model and the landmark net (src/export) and runs them.
// With --models DIR holding `aunce export --format onnx` output, the full createAuDetector
// pipeline runs (track(), detector every 5th frame, and detect() on every frame); without it only
// createFaceFinder (YuNet) does, and the AU stages are reported as not measured. fps is frames
// `--standin` runs the full pipeline with test/helpers/onnx-standin.ts's near-free landmark and AU
// nets: every stage but those two networks' compute (the page's own overhead). fps is frames
// processed per second of wall time in the page, reading the camera's newest frame each time
// (so it is the pipeline's rate, not the camera's 25 fps); per-stage ms are means over the run.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { MODEL_FILES, startServer } from "../scripts/web/serve.ts";
import { chromiumPath, launchChromium } from "../test/helpers/browser.ts";
import { writeY4m } from "../test/helpers/y4m.ts";
import { linearStandIn } from "../test/helpers/onnx-standin.ts";
import { ALIGN_TEMPLATE_V1, AU_INPUT } from "../src/face/geometry/index.ts";
import { defaultModelPath, loadAuModelFromCheckpoint } from "../src/face/au-model.ts";
import { exportAuModel } from "../src/export/au-model.ts";
import { exportBundledLandmarkNet } from "../src/export/landmarks.ts";
import { writeBenchResults, type BenchRow } from "./results.ts";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const seconds = Number(arg("seconds", "8"));
const threads = Number(arg("threads", "2"));
const detectorSize = Number(arg("detector-size", "640"));
const standin = process.argv.includes("--standin");
const bundled = process.argv.includes("--bundled");
let models = arg("models", join(process.cwd(), "web", "models"));
if (!chromiumPath()) {
  console.log("bench web: skipped, chromium is not installed (scripts/setup.mjs installs it as root)");
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "aunce-bench-web-"));
if (standin) {
  models = join(dir, "standin-models");
  mkdirSync(models);
  const aus = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];
  writeFileSync(join(models, MODEL_FILES.landmarks), linearStandIn(new Float32Array(3 * 136), Float32Array.from(ALIGN_TEMPLATE_V1.points, (p) => 0.1 + (0.8 * p) / 256), false, 112));
  writeFileSync(join(models, MODEL_FILES.au), linearStandIn(new Float32Array(3 * aus.length), new Float32Array(aus.length), true, 224));
  writeFileSync(join(models, MODEL_FILES.sidecar), JSON.stringify({ aus }));
}
if (bundled) {
  const modelPath = defaultModelPath();
  if (!modelPath) throw new Error("--bundled: no bundled AU model in assets/models");
  const model = await loadAuModelFromCheckpoint(modelPath);
  models = join(dir, "bundled-models");
  mkdirSync(models);
  writeFileSync(join(models, MODEL_FILES.au), exportAuModel(model).bytes);
  writeFileSync(join(models, MODEL_FILES.landmarks), exportBundledLandmarkNet().bytes);
  const norm = model.normalisation ?? AU_INPUT;
  writeFileSync(join(models, MODEL_FILES.sidecar), JSON.stringify({ aus: model.aus, normalisation: { mean: norm.mean, std: norm.std } }));
  model.dispose?.();
}
const full = Object.values(MODEL_FILES).every((f) => f === MODEL_FILES.detector || existsSync(join(models, f)));
const load0 = loadavg()[0];
try {
  const root = new URL("..", import.meta.url).pathname;
  const { data, info } = await sharp(join(root, "test/fixtures/face/group.jpg")).extract({ left: 458, top: 68, width: 182, height: 137 }).resize(640, 480, { fit: "fill" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const img = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  writeY4m(join(dir, "camera.y4m"), [img]);
  const server = await startServer({ port: 0, models, appDir: join(dir, "app") });
  const browser = await launchChromium({ fakeCamera: join(dir, "camera.y4m") });
  try {
    const ctx = await browser.newContext({ permissions: ["camera"] });
    await ctx.addInitScript({ content: "globalThis.__name = (f) => f;" });
    const page = await ctx.newPage();
    await page.goto(server.url);
    const r = await page.evaluate(async ({ seconds, threads, detectorSize, full, files }) => {
      const m = await import("/aunce-web.js" as string);
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      const rt = { backend: "wasm", numThreads: threads, detectorSize };
      const out: Record<string, { fps: number; frames: number; faces: number; ms: Record<string, number> }> = {};
      const measure = async (name: string, step: () => Promise<{ faces: number; times: Record<string, number> }>) => {
        for (let i = 0; i < 3; i++) await step(); // warm-up: first runs compile kernels
        const sum: Record<string, number> = {};
        let n = 0, faces = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < seconds * 1000) {
          const s = await step();
          n++;
          faces += s.faces;
          for (const [k, v] of Object.entries(s.times)) sum[k] = (sum[k] ?? 0) + v;
        }
        const wall = performance.now() - t0;
        out[name] = { fps: (n * 1000) / wall, frames: n, faces: faces / n, ms: Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v / n])) };
      };
      const finder = await m.createFaceFinder({ detector: files.detector, ...rt });
      await measure("faces", async () => {
        const f = await finder.find(stream);
        return { faces: f.length, times: { ...finder.lastTimes } };
      });
      await finder.dispose();
      if (full) {
        const d = await m.createAuDetector({ models: files, ...rt });
        await measure("track", async () => {
          const f = await d.track(stream);
          return { faces: f.length, times: { ...d.lastTimes } };
        });
        await measure("detect", async () => {
          const f = await d.detect(stream);
          return { faces: f.length, times: { ...d.lastTimes } };
        });
        await d.dispose();
      }
      stream.getTracks().forEach((t) => t.stop());
      return { out, isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, ua: navigator.userAgent };
    }, { seconds, threads, detectorSize, full, files: Object.fromEntries(Object.entries(MODEL_FILES).map(([k, f]) => [k, `/models/${f}`])) });
    const load1 = loadavg()[0];
    console.log(`chromium ${r.ua.match(/Chrome\/([\d.]+)/)?.[1]}, wasm threads ${threads}, YuNet at ${detectorSize} (cross-origin isolated: ${r.isolated}, ${r.cores} cores), load ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
    const rows: BenchRow[] = [];
    for (const [name, v] of Object.entries(r.out)) {
      const stages = Object.entries(v.ms).map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(", ");
      const nets = standin ? " with stand-in landmark/AU nets" : bundled ? " with the bundled default AU model" : "";
      const what = name === "faces" ? "face finding only (YuNet)" : name === "track" ? `track(): full pipeline${nets}, detector every 5th frame` : `detect(): full pipeline${nets} every frame`;
      console.log(`  ${what}: ${v.fps.toFixed(1)} fps over ${v.frames} frames, ${v.faces.toFixed(2)} faces/frame; ms per frame: ${stages}`);
      rows.push({ id: `web.${name}${name === "faces" ? "" : standin ? ".standin" : bundled ? ".bundled" : ""}.wasm.t${threads}.d${detectorSize}`, benchmark: `browser (headless chromium, onnxruntime-web wasm, ${threads} threads, YuNet at ${detectorSize}), 640x480 one-face fake camera: ${what}`, ours: `${v.fps.toFixed(1)} fps (${stages} ms)`, values: { fps: v.fps, ...v.ms } });
    }
    if (!full) console.log(`  AU pipeline not measured: ${models} lacks ${Object.values(MODEL_FILES).filter((f) => f !== MODEL_FILES.detector).join(", ")} (aunce export --format onnx -o ${models})`);
    console.log("  Node beside it: npm run bench -- detect (the libtorch pipeline on a 640x480 one-face video)");
    writeBenchResults("web", rows);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
