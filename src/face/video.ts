/**
 * Video through ffmpeg (Debian package `ffmpeg`), as a stream: frames are decoded to raw RGB on
 * ffmpeg's stdout and read one at a time with back-pressure, so memory stays at a few frames
 * whatever the video's length. Writing (overlay videos) pipes raw RGB frames into an encoder.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { workerEntry } from "../data/worker-entry.ts";
import type { RgbImage } from "./image.ts";

/** File extensions treated as video by `aunce detect`. */
export const VIDEO_EXTENSIONS = new Set([".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv", ".ts", ".3gp", ".ogv"]);

/**
 * Throws a clear error when ffmpeg/ffprobe are missing: installs them with apt-get first when
 * running as root with `install` set (the CLI's behaviour), otherwise says how to. Not cached:
 * one `-version` call each (~20 ms) per video.
 */
export function requireFfmpeg(install = false): void {
  const ok = () => spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0 && spawnSync("ffprobe", ["-version"], { stdio: "ignore" }).status === 0;
  if (ok()) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  // AUNCE_NO_INSTALL=1 turns the automatic apt-get off (CI images, tests).
  if (install && isRoot && existsSync("/usr/bin/apt-get") && !process.env.AUNCE_NO_INSTALL) {
    console.error("aunce: ffmpeg is missing; installing the Debian package with apt-get");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "ffmpeg"], { stdio: "inherit", env });
    if (ok()) return;
  }
  throw new Error("ffmpeg and ffprobe are needed for video but were not found on PATH. Install them with:  sudo apt-get install -y ffmpeg");
}

/**
 * Live sources ffmpeg reads through an input device rather than a file: webcams (`/dev/videoN`,
 * read with v4l2, or `webcam` / `webcam:N` for /dev/videoN) and `lavfi:<filter graph>` streams
 * (e.g. `lavfi:testsrc=size=640x480:rate=10`, for trying the live path without a camera).
 * Returns ffmpeg's input arguments, or null for an ordinary file.
 */
export function liveSourceArgs(source: string): string[] | null {
  const cam = /^webcam(?::(\d+))?$/.exec(source);
  if (cam) return ["-f", "v4l2", "-i", `/dev/video${cam[1] ?? "0"}`];
  if (/^\/dev\/video\d+$/.test(source)) return ["-f", "v4l2", "-i", source];
  if (source.startsWith("lavfi:")) return ["-f", "lavfi", "-i", source.slice("lavfi:".length)];
  return null;
}

/** ffmpeg/ffprobe input arguments for a file or a live source. */
function inputArgs(source: string): string[] {
  return liveSourceArgs(source) ?? ["-i", source];
}

/** Stream facts ffprobe reports. */
export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second (average rate). */
  fps: number;
  /** Frame count when the container says, else null. */
  frames: number | null;
  /** Duration in seconds when known. */
  duration: number | null;
}

function rate(s: string | undefined): number {
  if (!s) return 0;
  const [n, d] = s.split("/").map(Number);
  return d ? n / d : n;
}

/** Probes the first video stream of `file`; throws naming the file when there is none. */
export function probeVideo(file: string): VideoInfo {
  requireFfmpeg();
  const live = liveSourceArgs(file);
  // ffprobe takes the input as its last argument ("-f fmt source"), without "-i".
  const input = live ? [live[0], live[1], live[3]] : [file];
  const r = spawnSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration", "-of", "json", ...input], { encoding: "utf8", timeout: 20000 });
  if (r.status !== 0) throw new Error(`${file}: ffprobe could not read it (${(r.stderr || "").trim().split("\n").pop()})`);
  const s = (JSON.parse(r.stdout).streams ?? [])[0];
  if (!s || !s.width || !s.height) throw new Error(`${file}: no video stream`);
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25;
  const frames = Number(s.nb_frames);
  const duration = Number(s.duration);
  return { width: s.width, height: s.height, fps, frames: Number.isFinite(frames) && frames > 0 ? frames : null, duration: Number.isFinite(duration) ? duration : null };
}

/** A decoded frame: its index in the source video and its time in seconds. */
export interface VideoFrame {
  index: number;
  timestamp: number;
  image: RgbImage;
}

/** Frames decoded ahead of the consumer (bounded memory: this many frames plus the one in use). */
const READ_AHEAD = 3;

type WorkerMessage = { type: "frame"; buffer: ArrayBuffer } | { type: "warning"; line: string } | { type: "end"; code: number; error?: string };

/**
 * Decodes `file` frame by frame (every `every`-th frame when > 1, selected inside ffmpeg so the
 * others are not converted). `onWarning` receives ffmpeg's error lines (corrupt packets and
 * frames it skipped or concealed); `info` skips the probe when the caller has made it. ffmpeg runs
 * from a worker thread that decodes up to READ_AHEAD frames ahead (video-decode-worker.ts). The
 * frame's buffer is reused: copy it to keep it.
 */
export async function* readVideoFrames(file: string, opts: { every?: number; onWarning?: (msg: string) => void; signal?: AbortSignal; info?: VideoInfo } = {}): AsyncGenerator<VideoFrame> {
  const info = opts.info ?? probeVideo(file);
  const every = Math.max(1, Math.floor(opts.every ?? 1));
  const args = ["-v", "error", "-nostdin", ...inputArgs(file), "-an", "-sn"];
  if (every > 1) args.push("-vf", `select=not(mod(n\\,${every}))`, "-fps_mode", "passthrough");
  args.push("-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
  const frameBytes = info.width * info.height * 3;
  const frame = new Uint8Array(frameBytes); // before the thread starts: nothing may throw between it and the cleanup
  const worker = new Worker(workerEntry(import.meta.url, "video-decode-worker"), { workerData: { args, frameBytes, buffers: READ_AHEAD } });

  // Messages queue up here until the generator asks for them.
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  const push = (m: WorkerMessage) => {
    inbox.push(m);
    wake?.();
  };
  worker.on("message", push);
  worker.on("error", (err) => push({ type: "end", code: -1, error: err.message }));
  // Made now, not in the cleanup: a thread that already died must not leave the cleanup waiting.
  const exited = new Promise<void>((resolve) => worker.once("exit", (code) => {
    push({ type: "end", code: code === 0 ? 0 : -1, error: code === 0 ? undefined : `decoder thread exited with code ${code}` });
    resolve();
  }));
  const onAbort = () => wake?.();
  opts.signal?.addEventListener("abort", onAbort);

  let k = 0;
  let end: { code: number; error?: string } | null = null;
  try {
    while (!end) {
      // A live source never ends by itself: stop reading when asked (Ctrl-C), keeping what was done.
      if (opts.signal?.aborted) break;
      if (!inbox.length) {
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = null;
        continue;
      }
      const m = inbox.shift()!;
      if (m.type === "warning") opts.onWarning?.(`${file}: ffmpeg: ${m.line}`);
      else if (m.type === "end") end = m;
      else {
        // One main-thread buffer, as before the worker existed: callers may keep references to it
        // for one frame; the copy (~0.1 ms at 640x480) sends the worker's buffer straight back.
        frame.set(new Uint8Array(m.buffer));
        worker.postMessage({ type: "return", buffer: m.buffer }, [m.buffer]);
        // One turn of the event loop per frame (~microseconds): the consumer computes synchronously,
        // and Node delivers a port's queued messages in one callback (up to 1,000), so without this
        // timers, output writes (queued in memory meanwhile) and Ctrl-C waited up to 1,000 frames.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (opts.signal?.aborted) break;
        const index = k * every;
        k++;
        yield { index, timestamp: index / info.fps, image: { width: info.width, height: info.height, data: frame } };
      }
    }
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    // The worker kills ffmpeg and exits; terminate() is the fallback if it does not within 2 s.
    worker.postMessage({ type: "stop" });
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }
  if (opts.signal?.aborted || !end) return;
  if (end.error && end.code === -1) {
    if (k === 0) throw new Error(`${file}: video decoding could not start (${end.error})`);
    opts.onWarning?.(`${file}: ${end.error}; results cover the first ${k} frames`);
    return;
  }
  if (end.code !== 0 && k === 0) throw new Error(`${file}: ffmpeg could not decode any frame (exit code ${end.code})`);
  if (end.code !== 0) opts.onWarning?.(`${file}: ffmpeg stopped with exit code ${end.code} after ${k} frames; results cover those frames`);
}

/** Encodes raw RGB frames to a video file (H.264 when available, yuv420p) through ffmpeg. */
export class VideoWriter {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly done: Promise<number>;
  private err = "";

  constructor(readonly file: string, readonly width: number, readonly height: number, fps: number) {
    requireFfmpeg();
    this.proc = spawn("ffmpeg", ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`, "-r", String(fps), "-i", "pipe:0",
      "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", file], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stderr.setEncoding("utf8");
    this.proc.stderr.on("data", (d: string) => { this.err += d; });
    this.proc.stdout.resume();
    this.done = new Promise((resolve, reject) => {
      this.proc.on("error", reject);
      this.proc.on("close", (c) => resolve(c ?? 1));
    });
  }

  /** Queues one frame (RGB, width*height*3 bytes); resolves when ffmpeg has taken it. */
  async write(rgb: Uint8Array): Promise<void> {
    if (!this.proc.stdin.write(Buffer.from(rgb))) { // a copy: callers may reuse their buffer
      await new Promise<void>((resolve) => this.proc.stdin.once("drain", () => resolve()));
    }
  }

  /** Finishes the file; throws with ffmpeg's message when encoding failed. */
  async close(): Promise<void> {
    this.proc.stdin.end();
    const code = await this.done;
    if (code !== 0) throw new Error(`${this.file}: ffmpeg could not write the overlay video: ${this.err.trim()}`);
  }
}
