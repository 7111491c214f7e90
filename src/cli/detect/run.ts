/**
 * The work behind `aunce detect`: images and streamed videos through the face pipeline, records to
 * a RecordWriter, optional overlays. Bad inputs become warnings naming the file; the batch goes on.
 */
import { mkdirSync } from "node:fs";
import { basename, extname, join } from "node:path";
import sharp from "sharp";
import { toDetectedFace, type DetectedFace } from "../../api/detector.ts";
import { decodeImage, type RgbImage } from "../../face/image.ts";
import { drawOverlay, type OverlayFace } from "../../face/overlay.ts";
import { autoDetectEvery, FaceFollower } from "../../face/follow.ts";
import type { FacePipeline } from "../../face/pipeline.ts";
import { readVideoFrames, VideoWriter, probeVideo } from "../../face/video.ts";
import type { RecordWriter } from "./records.ts";

/** Shared state of one `detect` run. */
export interface DetectContext {
  pipeline: FacePipeline;
  threshold: (au: number) => number;
  writer: RecordWriter | null;
  overlayDir?: string;
  /** Process every n-th video frame. */
  every: number;
  /**
   * Run the face detector on every k-th processed video frame and follow the faces in between;
   * "auto": every AUTO_DETECT_SECONDS of video (FaceFollower).
   */
  detectEvery: number | "auto";
  warn: (msg: string) => void;
  /** Called after each processed video frame. */
  onFrame?: () => void;
  /** Milliseconds spent waiting for decoded frames/images. */
  decodeMs: number;
  /** Frames (or images) processed. */
  frames: number;
  /** Overlay file names taken so far in this run. */
  overlayNames?: Set<string>;
  /** Aborted by Ctrl-C: a live stream stops after the current frame and the output is completed. */
  signal?: AbortSignal;
}

/** A free overlay file name in `dir` for `file` (same stems from different folders get -2, -3...). */
function overlayPath(ctx: DetectContext, file: string, ext: string): string {
  const dir = ctx.overlayDir!;
  mkdirSync(dir, { recursive: true });
  const used = (ctx.overlayNames ??= new Set());
  const stem = basename(file, extname(file));
  // ".overlay" keeps `--overlay` pointed at the input folder from overwriting the inputs.
  let name = `${stem}.overlay${ext}`;
  for (let k = 2; used.has(name); k++) name = `${stem}-${k}.overlay${ext}`;
  used.add(name);
  return join(dir, name);
}

function overlayFaces(faces: readonly DetectedFace[], ids: readonly number[]): OverlayFace[] {
  return faces.map((f, i) => ({ box: f.box, landmarks: f.landmarks.flat(), faceId: ids[i], aus: f.aus }));
}

/** Processes one still image; returns false (after a warning) when it cannot be read. */
export async function processImage(file: string, ctx: DetectContext): Promise<boolean> {
  const t0 = performance.now();
  let img: RgbImage;
  try {
    img = await decodeImage(file);
  } catch (err) {
    ctx.warn((err as Error).message);
    return false;
  }
  ctx.decodeMs += performance.now() - t0;
  const faces = ctx.pipeline.analyze(img).map((f) => toDetectedFace(f, ctx.pipeline.auModel.aus, ctx.threshold));
  ctx.frames++;
  if (!faces.length) {
    ctx.warn(`${file}: no face found`);
    ctx.writer?.add({ file, frame: 1, timestamp: 0, faceId: 0, face: null });
  }
  faces.forEach((face, i) => ctx.writer?.add({ file, frame: 1, timestamp: 0, faceId: i, face }));
  if (ctx.overlayDir) {
    const drawn = drawOverlay(img, overlayFaces(faces, faces.map((_, i) => i)));
    await sharp(drawn.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toFile(overlayPath(ctx, file, ".png"));
  }
  return true;
}

/** Processes a video as a stream; returns false (after a warning) when no frame could be read. */
export async function processVideo(file: string, ctx: DetectContext): Promise<boolean> {
  let writer: VideoWriter | null = null;
  let processed = 0;
  try {
    const info = probeVideo(file);
    const detectEvery = ctx.detectEvery === "auto" ? autoDetectEvery(info.fps / ctx.every) : ctx.detectEvery;
    const follower = new FaceFollower(ctx.pipeline, detectEvery);
    if (ctx.overlayDir) writer = new VideoWriter(overlayPath(ctx, file, ".mp4"), info.width, info.height, info.fps / ctx.every);
    let t0 = performance.now();
    for await (const frame of readVideoFrames(file, { every: ctx.every, onWarning: ctx.warn, signal: ctx.signal, info })) {
      ctx.decodeMs += performance.now() - t0;
      const { analyses, ids } = follower.next(frame.image);
      const faces = analyses.map((a) => toDetectedFace(a, ctx.pipeline.auModel.aus, ctx.threshold));
      const rec = { file, frame: frame.index + 1, timestamp: frame.timestamp };
      if (!faces.length) ctx.writer?.add({ ...rec, faceId: 0, face: null });
      faces.forEach((face, i) => ctx.writer?.add({ ...rec, faceId: ids[i], face }));
      if (writer) await writer.write(drawOverlay(frame.image, overlayFaces(faces, ids)).data);
      processed++;
      ctx.frames++;
      ctx.onFrame?.();
      t0 = performance.now();
    }
  } catch (err) {
    const msg = (err as Error).message;
    ctx.warn(msg.includes(file) ? msg : `${file}: ${msg}`);
    if (writer) await writer.close().catch(() => undefined);
    return processed > 0;
  }
  if (writer) await writer.close();
  return true;
}
