// End-to-end `aunce detect` throughput on a 640x480 video with one face:
//   node --import tsx bench/detect.ts [--frames 150] [--threads 2,1] [--detect-every 1,3,auto] [--backbone resnet18]
//     [--detector yunet|ssd] [--face synth|photo]
// Makes the video with ffmpeg (testsrc + one face, moving: a SynthAU render by default, or with
// `--face photo` the face cut from test/fixtures/face/group.jpg), then runs the CLI's
// own video path (ffmpeg stream -> detector (YuNet by default) -> landmarks -> alignment -> AU model) without writing
// records, for each threads x detect-every setting, and prints frames/s with the time per stage.
// fps is the steady rate (first processed frame to last); "start" is the time to the first frame
// (ffprobe, ffmpeg and its reader thread starting, the first frame's compute).
// The AU model is an untrained ResNet + linear head: its speed is what a trained one costs.
// `--backbone bundled` runs the bundled default model instead (what `aunce detect` uses by default).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { processVideo, type DetectContext } from "../src/cli/detect/run.ts";
import { BP4D_AUS, DEFAULT_MODEL_PATH, LinearProbeAuModel, loadAuModelFromCheckpoint } from "../src/face/au-model.ts";
import { DETECTOR_KINDS, type DetectorKind } from "../src/face/geometry/detector-options.ts";
import { FacePipeline } from "../src/face/pipeline.ts";
import { hardFaceImage } from "../src/synth/hard-faces.ts";
import { getNumThreads, manualSeed, setNumThreads } from "../src/tensor/index.ts";
import { writeBenchResults, type BenchRow } from "./results.ts";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const frames = Number(arg("frames", "150"));
const threadList = arg("threads", "2,1").split(",").map(Number);
const detectEveryList = arg("detect-every", "1,3,auto").split(",").map((v) => (v === "auto" ? "auto" : Number(v)));
const backbone = arg("backbone", "resnet18");
const detector = arg("detector", "yunet") as DetectorKind;
if (!DETECTOR_KINDS.includes(detector)) throw new RangeError(`--detector must be one of ${DETECTOR_KINDS.join(", ")}`);
const faceSource = arg("face", "synth");
if (faceSource !== "synth" && faceSource !== "photo") throw new RangeError("--face must be synth or photo");

const dir = mkdtempSync(join(tmpdir(), "aunce-bench-detect-"));
const face = join(dir, "face.png");
if (faceSource === "photo") {
  await sharp(new URL("../test/fixtures/face/group.jpg", import.meta.url).pathname).extract({ left: 440, top: 40, width: 180, height: 200 }).png().toFile(face);
} else {
  // A near-frontal SynthAU face (the hard-face set's first frontal scene), cut to 200x200 around its box.
  const s = hardFaceImage("frontal", 0, { seed: 1, size: 320 });
  const b = s.faces[0];
  const side = 200, left = Math.round(Math.min(Math.max(b.x + b.width / 2 - side / 2, 0), s.width - side)), top = Math.round(Math.min(Math.max(b.y + b.height / 2 - side / 2, 0), s.height - side));
  await sharp(s.rgb, { raw: { width: s.width, height: s.height, channels: 3 } }).extract({ left, top, width: side, height: side }).png().toFile(face);
}
const video = join(dir, "face640x480.mp4");
const fps = 25;
const mk = spawnSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=640x480:rate=${fps}:duration=${frames / fps}`, "-i", face,
  "-filter_complex", "[0][1]overlay=x='120+80*sin(t)':y='120+20*cos(2*t)'", "-pix_fmt", "yuv420p", video]);
if (mk.status !== 0) throw new Error(`ffmpeg failed: ${mk.stderr}`);

manualSeed(0);
const model = backbone === "bundled" ? await loadAuModelFromCheckpoint(DEFAULT_MODEL_PATH) : new LinearProbeAuModel(backbone, BP4D_AUS);
const pipeline = new FacePipeline(model, { detector });
const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?";
console.log(`${frames} frames 640x480, one ${faceSource === "synth" ? "SynthAU" : "photo"} face, detector ${detector}, AU model ${backbone === "bundled" ? model.description : `${backbone} + linear head (untrained)`}; ${cpu}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log("threads  detect-every  fps    start ms   ms/frame: decode  prepare  detect  landmarks  align  au     total");
const rows: BenchRow[] = [];
const modelWords = backbone === "bundled" ? "bundled default model" : `${backbone} AU model (untrained)`;
for (const threads of threadList) {
  setNumThreads(threads);
  for (const detectEvery of detectEveryList) {
    // Warm-up on a few frames (first-call allocations, kernel selection).
    const warm: DetectContext = { pipeline, threshold: () => 0.5, writer: null, every: Math.max(1, Math.floor(frames / 4)), detectEvery, warn: () => undefined, decodeMs: 0, frames: 0 };
    await processVideo(video, warm);
    pipeline.resetTimes();
    const done: number[] = [];
    // Stage times from the end of the first frame on, so they describe the same frames as fps.
    let first: { decode: number; times: typeof pipeline.times } | null = null;
    const ctx: DetectContext = {
      pipeline, threshold: () => 0.5, writer: null, every: 1, detectEvery, warn: (m) => console.error(m), decodeMs: 0, frames: 0,
      onFrame: () => {
        done.push(performance.now());
        first ??= { decode: ctx.decodeMs, times: { ...pipeline.times } };
      },
    };
    const t0 = performance.now();
    await processVideo(video, ctx);
    const steady = (done[done.length - 1] - done[0]) / (done.length - 1); // ms per frame after the first
    const f0 = first!;
    const n = ctx.frames - 1;
    const per = (ms: number) => (ms / n).toFixed(1).padStart(6);
    const tm = Object.fromEntries(Object.entries(pipeline.times).map(([k, v]) => [k, v - f0.times[k as keyof typeof f0.times]])) as unknown as typeof pipeline.times;
    ctx.decodeMs -= f0.decode;
    rows.push({
      id: `detect.${backbone}.t${getNumThreads()}.${detectEvery}${detector === "yunet" ? "" : `.${detector}`}${faceSource === "synth" ? "" : ".photo"}`,
      benchmark: `\`aunce detect\`, 640x480 video, one ${faceSource === "synth" ? "SynthAU" : "photo"} face, ${detector} detector, ${modelWords}, ${getNumThreads()} threads, \`--detect-every ${detectEvery}\``,
      ours: `${(1000 / steady).toFixed(1)} fps`,
      values: { fps: 1000 / steady, msPerFrame: steady, threads: getNumThreads() },
    });
    console.log(`${String(getNumThreads()).padStart(7)}  ${String(detectEvery).padStart(12)}  ${(1000 / steady).toFixed(1).padStart(5)}  ${(done[0] - t0).toFixed(0).padStart(8)}  ${" ".repeat(9)}${per(ctx.decodeMs)}  ${per(tm.prepare).padStart(7)}  ${per(tm.detect)}  ${per(tm.landmarks).padStart(9)}  ${per(tm.align)}  ${per(tm.au)}  ${steady.toFixed(1).padStart(6)}`);
  }
}
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
writeBenchResults(`detect-${backbone}-${detector}`, rows);
pipeline.dispose();
model.dispose?.();
rmSync(dir, { recursive: true });
