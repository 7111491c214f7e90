/**
 * Worker thread behind readVideoFrames: runs ffmpeg and cuts its raw RGB stdout into frames.
 *
 * Why a thread: detection runs synchronously on the main thread, so a main-thread reader only
 * drains ffmpeg's 64 KiB pipe between frames and ffmpeg stalls on every write while we compute
 * (measured: ~11 ms per 640x480 frame spent waiting). Here the pipe is drained continuously into
 * a fixed set of frame buffers that travel to the main thread and back (transferred, not copied):
 * ffmpeg decodes ahead while the main thread computes, and memory stays at `buffers` frames.
 *
 * Messages in:  { type: "return", buffer }  a consumed frame's buffer, free again
 *               { type: "stop" }            kill ffmpeg and finish
 * Messages out: { type: "frame", buffer } | { type: "warning", line } | { type: "end", code, error? }
 */
import { spawn } from "node:child_process";
import { parentPort, workerData } from "node:worker_threads";

interface Setup {
  args: string[];
  frameBytes: number;
  buffers: number;
}

const { args, frameBytes, buffers } = workerData as Setup;
const port = parentPort!;
const free: ArrayBuffer[] = Array.from({ length: buffers }, () => new ArrayBuffer(frameBytes));
let current: Uint8Array | null = null;
let fill = 0;
/** Bytes read while no buffer was free (at most one chunk: the stream is paused right after). */
const pending: Buffer[] = [];
let eof = false;
let exitCode: number | null = null;
let ended = false;

const proc = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
proc.on("error", (err) => {
  ended = true;
  port.postMessage({ type: "end", code: -1, error: err.message });
});

let stderr = "";
proc.stderr.setEncoding("utf8");
proc.stderr.on("data", (d: string) => {
  stderr += d;
  let nl: number;
  while ((nl = stderr.indexOf("\n")) >= 0) {
    const line = stderr.slice(0, nl).trim();
    stderr = stderr.slice(nl + 1);
    if (line) port.postMessage({ type: "warning", line });
  }
});

/** Copies `chunk` into frame buffers, sending each full one; returns the bytes not taken. */
function take(chunk: Buffer): Buffer | null {
  let off = 0;
  while (off < chunk.length) {
    if (!current) {
      const buf = free.pop();
      if (!buf) return chunk.subarray(off);
      current = new Uint8Array(buf);
      fill = 0;
    }
    const n = Math.min(frameBytes - fill, chunk.length - off);
    current.set(chunk.subarray(off, off + n), fill);
    fill += n;
    off += n;
    if (fill === frameBytes) {
      const buffer = current.buffer as ArrayBuffer;
      current = null;
      port.postMessage({ type: "frame", buffer }, [buffer]);
    }
  }
  return null;
}

proc.stdout.on("data", (chunk: Buffer) => {
  const rest = take(chunk);
  if (rest) {
    pending.push(rest);
    proc.stdout.pause(); // every buffer is with the main thread: let ffmpeg wait
  }
});

// The end goes out once ffmpeg has exited, its stdout is at EOF and every byte read is in a frame
// that was sent (a trailing partial frame is dropped).
const finish = () => {
  if (ended || !eof || exitCode === null || pending.length) return;
  ended = true;
  if (stderr.trim()) port.postMessage({ type: "warning", line: stderr.trim() });
  port.postMessage({ type: "end", code: exitCode });
};
proc.stdout.on("end", () => {
  eof = true;
  finish();
});
proc.on("exit", (code, signal) => {
  exitCode = code ?? (signal ? 128 : 1);
  finish();
});

port.on("message", (m: { type: "return"; buffer: ArrayBuffer } | { type: "stop" }) => {
  if (m.type === "stop") {
    // process.exit in a worker ends this thread only; wait for ffmpeg to be reaped first, or it
    // would stay behind as a zombie of the main process.
    if (exitCode !== null || proc.pid === undefined) process.exit(0);
    proc.once("exit", () => process.exit(0));
    proc.kill("SIGKILL");
    return;
  }
  free.push(m.buffer);
  while (pending.length && free.length) {
    const rest = take(pending.shift()!);
    if (rest) pending.unshift(rest);
  }
  if (!pending.length && proc.stdout.isPaused()) proc.stdout.resume();
  finish();
});
