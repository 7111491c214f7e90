/**
 * `aunce detect <inputs...>`: faces, 68 landmarks and AU probabilities for images, folders, globs
 * and videos (streamed through ffmpeg), one CSV row (or JSON record) per face per frame.
 * Columns and conventions: src/cli/detect/records.ts.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { resolveAuModel } from "../../api/detector.ts";
import { resolveGeometryModel } from "../../face/geometry-au.ts";
import { FacePipeline } from "../../face/pipeline.ts";
import { requireFfmpeg, probeVideo } from "../../face/video.ts";
import { manualSeed, setNumThreads } from "../../tensor/index.ts";
import { addDeviceOptions, deviceFromFlags } from "../util/device.ts";
import { expandInputs, mediaKind } from "../detect/inputs.ts";
import { RecordWriter } from "../detect/records.ts";
import { processImage, processVideo, type DetectContext } from "../detect/run.ts";
import { readThresholds } from "../detect/thresholds.ts";
import { defaultModelPath } from "../../face/au-model.ts";
import { option } from "../util/flags.ts";
import { DEFAULT_DETECTOR, DETECTOR_DEFAULTS, DETECTOR_KINDS, type DetectorKind } from "../../face/geometry/detector-options.ts";
import { interruptSignal } from "../util/interrupt.ts";
import { checkOutputFile, checkOutputFolder } from "../util/paths.ts";

interface DetectOpts {
  output?: string;
  json?: boolean;
  overlay?: string;
  thresholds?: string;
  model?: string;
  geometry?: boolean | string;
  mirror_average?: boolean;
  untrained?: string;
  every: string;
  detect_every: string;
  min_confidence?: string;
  detector: string;
  nms_threshold?: string;
  detector_size?: string;
  threads?: string;
  device?: string;
  gpu_ids?: string;
  progress: boolean;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a whole number >= 1, got '${v}'`);
  return n;
}

/** Runs the command; resolves to the exit code (1 when no input could be processed). */
export async function runDetect(inputs: string[], opts: DetectOpts): Promise<number> {
  const every = positiveInt("--every", opts.every);
  const detectEvery = opts.detect_every === "auto" ? "auto" : Number(opts.detect_every);
  if (detectEvery !== "auto" && !(Number.isInteger(detectEvery) && detectEvery >= 1)) {
    throw new Error(`--detect_every: expected 'auto' or a whole number >= 1, got '${opts.detect_every}'`);
  }
  const detector = opts.detector as DetectorKind;
  if (!DETECTOR_KINDS.includes(detector)) throw new Error(`--detector: expected one of ${DETECTOR_KINDS.join(", ")}, got '${opts.detector}'`);
  const scoreThreshold = opts.min_confidence === undefined ? undefined : Number(opts.min_confidence);
  if (scoreThreshold !== undefined && !(scoreThreshold > 0 && scoreThreshold < 1)) throw new Error(`--min_confidence: expected a number between 0 and 1, got '${opts.min_confidence}'`);
  const nmsThreshold = opts.nms_threshold === undefined ? undefined : Number(opts.nms_threshold);
  if (nmsThreshold !== undefined && !(nmsThreshold > 0 && nmsThreshold <= 1)) throw new Error(`--nms_threshold: expected a number in (0, 1], got '${opts.nms_threshold}'`);
  const detectorSize = opts.detector_size === undefined ? undefined : Number(opts.detector_size);
  if (detectorSize !== undefined && !(Number.isInteger(detectorSize) && detectorSize >= 32)) throw new Error(`--detector_size: expected a whole number >= 32, got '${opts.detector_size}'`);
  const threads = opts.threads ? positiveInt("--threads", opts.threads) : undefined;
  const thresholds = opts.thresholds ? readThresholds(opts.thresholds) : {};
  // Outputs before any work: a bad -o or --overlay fails now, not after the model has loaded.
  if (opts.output) checkOutputFile("-o", opts.output);
  if (opts.overlay) checkOutputFolder("--overlay", opts.overlay);
  if (threads) setNumThreads(threads);
  let bar: cliProgress.SingleBar | null = null;
  const warn = (msg: string) => {
    if (bar) process.stderr.write("\r\x1b[K"); // clear the bar's line; it redraws on its next update
    console.error(`aunce detect: warning: ${msg}`);
  };
  const { files, problems } = expandInputs(inputs);
  for (const p of problems) console.error(`aunce detect: warning: ${p}`);
  if (!files.length) throw new Error("no input files (see the warnings above)");
  if (files.some((f) => mediaKind(f) === "video")) {
    try {
      requireFfmpeg(true);
    } catch (err) {
      warn(`${(err as Error).message} Videos will be skipped; images still run.`);
    }
  }

  if (!opts.model && opts.untrained) {
    manualSeed(0);
    console.error(`aunce detect: warning: --untrained: the AU columns come from an UNTRAINED, randomly initialised ${opts.untrained} (seed 0); they carry no information. Pass --model <checkpoint> from \`aunce train\`.`);
  } else if (!opts.model) {
    if (defaultModelPath()) console.error("aunce detect: using the bundled AU model, trained on synthetic SynthAU faces only (see assets/models/README.md for its F1); pass --model for your own.");
    else console.error("aunce detect: warning: no bundled AU model found; falling back to an UNTRAINED network. Pass --model <checkpoint>.");
  }
  let geometry;
  try {
    geometry = resolveGeometryModel(opts.geometry);
  } catch (err) {
    throw new Error(`--geometry: ${(err as Error).message}`);
  }
  const model = await resolveAuModel({ model: opts.model, untrainedBackbone: opts.untrained, device: deviceFromFlags(opts) });
  if (geometry) console.error(`aunce detect: fusing the AU model with ${opts.geometry === true ? "the bundled" : "a"} landmark-geometry AU model (trained on synthetic faces; see assets/models/synthau-geometry-logistic.md).`);
  const pipeline = new FacePipeline(model, { detector, scoreThreshold, nmsThreshold, detectorSize, geometry, mirrorAverage: opts.mirror_average === true });
  const unknown = Object.keys(thresholds).map(Number).filter((au) => !model.aus.includes(au));
  if (unknown.length) console.error(`aunce detect: warning: --thresholds names AUs the model does not predict: ${unknown.join(", ")}`);

  let out: WriteStream | null = null;
  let outError: Error | null = null;
  const write = opts.output ? (s: string) => { if (!outError) out!.write(s); } : (s: string) => { process.stdout.write(s); };
  if (opts.output) {
    out = createWriteStream(opts.output);
    // A write error (disk full, a folder swapped in) ends the run with a one-line message, not an unhandled 'error' event.
    out.on("error", (err) => { outError ??= err; });
  }
  const writer = new RecordWriter(write, opts.json ? "json" : "csv", model.aus);

  // One bar: frames when the only input is a video, files otherwise.
  const single = files.length === 1 && mediaKind(files[0]) === "video";
  if (opts.progress && process.stderr.isTTY) {
    bar = new cliProgress.SingleBar({ format: `detect [{bar}] {value}/{total} ${single ? "frames" : "files"} | {eta_formatted} left`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let total = files.length;
    if (single) {
      try {
        const info = probeVideo(files[0]);
        total = Math.ceil((info.frames ?? Math.round((info.duration ?? 0) * info.fps)) / every) || 1;
      } catch { /* reported when processing */ }
    }
    bar.start(total, 0);
  }
  // Ctrl-C ends a live stream (webcam) cleanly: the current frame finishes and the output is closed.
  const stop = interruptSignal("detect", "finishing the current frame and closing the output");
  const ctx: DetectContext = {
    pipeline, writer, overlayDir: opts.overlay, every, detectEvery, warn, decodeMs: 0, frames: 0,
    threshold: (au) => thresholds[au] ?? 0.5,
    onFrame: single ? () => bar?.increment() : undefined,
    signal: stop.signal,
  };
  let ok = 0;
  try {
    for (const file of files) {
      if (stop.signal.aborted) break;
      const kind = mediaKind(file) ?? "image";
      if (await (kind === "video" ? processVideo(file, ctx) : processImage(file, ctx))) ok++;
      if (!single) bar?.increment();
    }
  } finally {
    stop.dispose();
    bar?.stop();
    writer.end();
    pipeline.dispose();
    model.dispose?.();
    if (out && !outError) await new Promise<void>((resolve) => out!.end(() => resolve()));
  }
  if (outError) throw new Error(`-o ${opts.output}: cannot write (${(outError as NodeJS.ErrnoException).code ?? (outError as Error).message})`);
  if (opts.output) console.error(`aunce detect: ${writer.records} records from ${ok}/${files.length} inputs -> ${opts.output}`);
  return ok > 0 ? 0 : 1;
}

/** Registers `detect` on the program. */
export function register(program: Command): void {
  addDeviceOptions(program
    .command("detect"), "the AU model")
    .description("faces, 68 landmarks and AU probabilities for images, folders, globs and videos; one CSV row per face per frame")
    .argument("<inputs...>", "image or video files, folders (searched recursively), globs ('frames/**/*.png'), or a live source: webcam, webcam:N, /dev/videoN (v4l2), lavfi:<graph>")
    .option("-o, --output <file>", "write the CSV/JSON here instead of stdout")
    .option("--json", "write a JSON array of records instead of CSV")
    .option("--overlay <dir>", "write images (PNG) / videos (MP4) with boxes, landmarks and AU bars into <dir>")
    .option("--thresholds <file>", "per-AU presence thresholds, YAML/JSON mapping like { AU01: 0.4, AU12: 0.6 } (default 0.5)")
    .option("--model <checkpoint>", "AU model: a checkpoint from `aunce train --supervised` (default: the bundled SynthAU-trained model)")
    .addOption(option("--mirror_average", "average each face's AU probabilities with the same face in the mirrored image, so a photo and its mirror get the same AUs (twice the cost)"))
    .option("--geometry [file]", "fuse a landmark-geometry AU model with the AU model (mean per AU; default file: the bundled assets/models/synthau-geometry-logistic.json; off unless given)")
    .option("--untrained <variant>", "use a randomly initialised ResNet of this variant instead (pipeline testing only)")
    .option("--every <n>", "process every n-th video frame", "1")
    .addOption(option("--detect_every <k>", "video: run the face detector on every k-th processed frame, following faces by their landmarks in between; 'auto' = every 0.2 s of video (5 frames at 25 fps), 1 = every frame").default("auto"))
    .addOption(option("--detector <name>", "face detector: yunet (YuNet-n; finds turned, occluded and small faces) or ssd (the SSD-MobileNetV1 of earlier versions)").default(DEFAULT_DETECTOR))
    .addOption(option("--min_confidence <p>", `face detector score threshold (default ${DETECTOR_DEFAULTS.yunet.scoreThreshold} for yunet, ${DETECTOR_DEFAULTS.ssd.scoreThreshold} for ssd)`))
    .addOption(option("--nms_threshold <iou>", `face detector NMS IoU threshold (default ${DETECTOR_DEFAULTS.yunet.nmsThreshold} for yunet, ${DETECTOR_DEFAULTS.ssd.nmsThreshold} for ssd)`))
    .addOption(option("--detector_size <px>", `yunet: scale images whose longer side exceeds this down to it for detection (default ${DETECTOR_DEFAULTS.yunet.detectorSize})`))
    .option("--threads <n>", "intra-op threads for the engine (default: cores, or AUNCE_NUM_THREADS)")
    .addOption(option("--no_progress", "no progress bar"))
    .action(async (inputs: string[], opts: DetectOpts) => {
      process.exitCode = await runDetect(inputs, opts);
    });
}

