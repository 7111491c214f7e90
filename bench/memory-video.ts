/**
 * Bounded memory on a long video: streams a generated 640x480 video (20 minutes by default, at
 * 10 fps = 12,000 frames) through `aunce detect` itself (the CLI's command, run in this process,
 * CSV to a temporary file) and samples RSS, the JS heap and the live tensor count every few seconds.
 *
 *   node --import tsx bench/memory-video.ts [--minutes 20] [--fps 10] [--sample-every 10]
 *     [--warmup-frames 1000] [--bound 32] [--threads N] [--detect-every K] [--untrained resnet18] [--out docs/results/memory-video.json]
 *
 * The video is never written to disk: it is an ffmpeg lavfi graph (`lavfi:` input of `aunce
 * detect`), testsrc2 with a face cut from test/fixtures/face/group.jpg drifting over it (slow
 * sine paths), so the whole face pipeline runs on every frame (detector every 2nd frame at 10 fps
 * with the default `--detect-every auto`, landmarks, alignment and the bundled AU model).
 * Progress (frames) is read from the CSV as it grows. The verdict: RSS after the warm-up grows by
 * less than `--bound` MiB, both end minus start and along the least-squares trend.
 * Ctrl-C stops the stream cleanly (the CLI's own handling) and the report covers the frames done.
 * Exit code 1 on FAIL.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { run as cli } from "../src/cli/main.ts";
import { liveTensors } from "../src/tensor/index.ts";
import { logSample, machine, printSamples, printSummary, sampleMemory, summarize, writeResult, type MemorySample } from "./memory-report.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "20" },
    fps: { type: "string", default: "10" },
    "sample-every": { type: "string", default: "10" },
    "warmup-frames": { type: "string", default: "1000" },
    bound: { type: "string", default: "32" },
    threads: { type: "string" },
    "detect-every": { type: "string" },
    untrained: { type: "string" },
    out: { type: "string", default: new URL("../docs/results/memory-video.json", import.meta.url).pathname },
  },
});
const minutes = Number(values.minutes);
const fps = Number(values.fps);
const sampleEvery = Number(values["sample-every"]);
const warmupFrames = Number(values["warmup-frames"]);
const bound = Number(values.bound);
for (const [k, v] of [["minutes", minutes], ["fps", fps], ["sample-every", sampleEvery], ["bound", bound]] as const) {
  if (!(v > 0)) throw new Error(`--${k}: expected a positive number`);
}
if (!(warmupFrames >= 0)) throw new Error("--warmup-frames: expected a number >= 0");

const dir = mkdtempSync(join(tmpdir(), "aunce-bench-memory-video-"));
try {
  const face = join(dir, "face.png");
  await sharp(new URL("../test/fixtures/face/group.jpg", import.meta.url).pathname).extract({ left: 440, top: 40, width: 180, height: 200 }).png().toFile(face);
  // No commas in the graph: the CSV's file column (the source string) then needs no quoting.
  const source = `lavfi:testsrc2=size=640x480:rate=${fps}:duration=${minutes * 60}[bg];movie=${face}[f];` +
    "[bg][f]overlay=x='230+150*sin(t/9)':y='140+60*sin(t/13)'";
  const csv = join(dir, "out.csv");
  const args = ["detect", source, "-o", csv, "--no-progress"];
  if (values.threads) args.push("--threads", values.threads);
  if (values["detect-every"]) args.push("--detect-every", values["detect-every"]);
  if (values.untrained) args.push("--untrained", values.untrained);

  // Progress from the CSV: the last frame number written, and how many rows found a face.
  const progress = { frames: 0, rows: 0, faces: 0 };
  let offset = 0;
  let partial = "";
  const buf = Buffer.alloc(1 << 20);
  const readProgress = () => {
    let fd: number;
    try {
      fd = openSync(csv, "r");
    } catch {
      return; // not created yet
    }
    try {
      for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0; offset += n) {
        const lines = (partial + buf.toString("latin1", 0, n)).split("\n");
        partial = lines.pop()!;
        for (const line of lines) {
          const cells = line.split(",", 6);
          const frame = Number(cells[1]);
          if (!Number.isInteger(frame)) continue; // the header
          progress.frames = Math.max(progress.frames, frame);
          progress.rows++;
          if (cells[5] === "1") progress.faces++;
        }
      }
    } finally {
      closeSync(fd);
    }
  };

  const samples: MemorySample[] = [];
  const t0 = performance.now();
  const take = () => {
    readProgress();
    samples.push(sampleMemory((performance.now() - t0) / 1000, progress.frames));
    logSample(samples[samples.length - 1], "frames");
  };
  const tensorsBefore = liveTensors();
  const before = machine();
  console.log(`memory: aunce detect on ${minutes} min of 640x480 at ${fps} fps (${Math.round(minutes * 60 * fps)} frames, streamed from ffmpeg lavfi), ` +
    `sampling every ${sampleEvery} s; ${before.cpu}; load average ${(before.loadAverage as number[]).join(" ")}`);
  take();
  const timer = setInterval(take, sampleEvery * 1000);
  let code: number;
  try {
    code = await cli(["node", "aunce", ...args]);
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  readProgress();
  const tensorsAfter = liveTensors();
  if (code !== 0) throw new Error(`aunce detect exited with code ${code}`);
  // The last reading taken while the run was live stands for the end (the model is disposed now).
  const summary = summarize(samples, warmupFrames, bound);
  printSamples(samples, "frames", warmupFrames);
  printSummary(summary, "frames");
  console.log(`${progress.frames} frames in ${seconds.toFixed(0)} s (${(progress.frames / seconds).toFixed(1)} fps), a face in ${progress.rows ? ((100 * progress.faces) / progress.rows).toFixed(1) : 0}% of ${progress.rows} rows; ` +
    `live tensors ${tensorsBefore} before, ${tensorsAfter} after the command`);
  const after = machine();
  writeResult(values.out!, {
    bench: "memory-video",
    date: new Date().toISOString(),
    command: `aunce ${args.slice(0, 1).join(" ")} <lavfi source> ${args.slice(2).join(" ").replace(csv, "<tmp>.csv")}`,
    source: source.replace(face, "<face.png>"),
    video: { width: 640, height: 480, fps, minutes, framesPlanned: Math.round(minutes * 60 * fps), framesProcessed: progress.frames },
    stoppedEarly: progress.frames < Math.round(minutes * 60 * fps),
    seconds: Math.round(seconds),
    processedFps: Math.round((progress.frames / seconds) * 10) / 10,
    rows: progress.rows,
    faceRows: progress.faces,
    liveTensorsBefore: tensorsBefore,
    liveTensorsAfter: tensorsAfter,
    sampleEverySeconds: sampleEvery,
    machineBefore: before,
    loadAverageAfter: after.loadAverage,
    summary,
    samples,
  });
  if (!summary.pass) process.exitCode = 1;
} catch (err) {
  console.error(`memory-video: ${(err as Error).message}`); // one line: these are option or run-length mistakes
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
