import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeVideo, readVideoFrames, VideoWriter } from "../../src/face/video.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
const skip = hasFfmpeg ? false : "ffmpeg not installed (apt-get install ffmpeg)";

/** A 64x48, 10 fps, 2 s gradient video whose frame k has red 10 k (plus texture). */
async function makeVideo(dir: string): Promise<string> {
  const file = join(dir, "v.mkv");
  const w = new VideoWriter(file, 64, 48, 10);
  for (let k = 0; k < 20; k++) {
    const f = new Uint8Array(64 * 48 * 3);
    for (let i = 0; i < 64 * 48; i++) {
      f[i * 3] = 10 * k;
      if (i >= 32 * 64) f[i * 3 + 1] = (i * 2654435761 + k * 97) % 251; // texture in the bottom rows: payload to damage
    }
    await w.write(f);
  }
  await w.close();
  return file;
}

test("VideoWriter + probeVideo + readVideoFrames round-trip: sizes, fps, order, timestamps, --every", { skip }, async () => {
  const dir = makeTempDir("vid-");
  const file = await makeVideo(dir);
  const info = probeVideo(file);
  assert.equal(info.width, 64);
  assert.equal(info.height, 48);
  assert.equal(info.fps, 10);
  const seen: { index: number; t: number; red: number; buf: ArrayBufferLike }[] = [];
  for await (const f of readVideoFrames(file)) {
    let red = 0;
    for (let i = 0; i < 16 * 64; i++) red += f.image.data[i * 3]; // flat top rows
    seen.push({ index: f.index, t: f.timestamp, red: red / (16 * 64), buf: f.image.data.buffer });
  }
  assert.equal(seen.length, 20);
  seen.forEach((s, k) => {
    assert.equal(s.index, k);
    assert.ok(Math.abs(s.t - k / 10) < 1e-9);
    assert.ok(Math.abs(s.red - 10 * k) < 4, `frame ${k}: red ${s.red}`);
  });
  // One frame buffer, reused: memory does not grow with the video's length.
  assert.equal(new Set(seen.map((s) => s.buf)).size, 1);
  const every: number[] = [];
  for await (const f of readVideoFrames(file, { every: 3 })) every.push(f.index);
  assert.deepEqual(every, [0, 3, 6, 9, 12, 15, 18]);
});

test("readVideoFrames: a damaged video yields what decodes plus warnings; a non-video is an error naming the file", { skip }, async () => {
  const dir = makeTempDir("vid-");
  const file = await makeVideo(dir);
  const bytes = readFileSync(file);
  const cut = join(dir, "cut.mkv");
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const warnings: string[] = [];
  let n = 0;
  for await (const _f of readVideoFrames(cut, { onWarning: (m) => warnings.push(m) })) n++;
  assert.ok(n > 0 && n < 20, `truncated video gave ${n} frames`);
  const text = join(dir, "notes.mp4");
  writeFileSync(text, "not a video at all\n");
  await assert.rejects(async () => { for await (const _f of readVideoFrames(text)) { /* none */ } }, /notes\.mp4: ffprobe could not read it/);
  assert.ok(warnings.every((w) => w.includes("cut.mkv")));
});

/** ffmpeg processes started by this test process (the decoder runs them from a worker thread). */
function ourFfmpegs(): string[] {
  const r = spawnSync("pgrep", ["-P", String(process.pid), "ffmpeg"], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

test("readVideoFrames decodes ahead and stops cleanly: leaving the loop early or aborting ends ffmpeg and its thread", { skip }, async () => {
  // An endless live source: only the consumer can end it.
  const src = "lavfi:testsrc=size=320x240:rate=25";
  let n = 0;
  for await (const f of readVideoFrames(src)) {
    assert.equal(f.image.data.length, 320 * 240 * 3);
    // Slow consumer: the reader must not queue more than a few frames, nor stall.
    await new Promise((r) => setTimeout(r, 30));
    if (++n === 5) break;
  }
  assert.equal(n, 5);
  assert.deepEqual(ourFfmpegs(), [], "break killed ffmpeg");
  const ac = new AbortController();
  let m = 0;
  for await (const _f of readVideoFrames(src, { signal: ac.signal })) if (++m === 3) ac.abort();
  assert.equal(m, 3);
  assert.deepEqual(ourFfmpegs(), [], "abort killed ffmpeg");
});

test("readVideoFrames lets the event loop run between frames: timers, I/O and Ctrl-C reach a synchronous consumer", { skip }, async () => {
  // A consumer that computes synchronously (as the detect loop does) must still see timers fire:
  // without a turn of the event loop per frame, Node keeps delivering the decoder thread's
  // messages in one callback (up to 1,000), so timers, output writes and SIGINT waited for the
  // stream to end.
  const src = "lavfi:testsrc=size=160x120:rate=10:duration=4"; // 40 frames
  const ac = new AbortController();
  let n = 0;
  let firedAt = -1;
  for await (const _f of readVideoFrames(src, { signal: ac.signal })) {
    if (n === 0) {
      setTimeout(() => { firedAt = n; }, 0);
      setTimeout(() => ac.abort(), 60);
    }
    const until = performance.now() + 20; // busy: 20 ms of compute per frame
    while (performance.now() < until) { /* spin */ }
    n++;
  }
  assert.ok(firedAt >= 1 && firedAt <= 2, `a 0 ms timer set at frame 1 fired after frame ${firedAt} of ${n}`);
  assert.ok(n < 20, `an abort from a 60 ms timer stopped the stream after ${n} of 40 frames`);
  assert.deepEqual(ourFfmpegs(), [], "abort killed ffmpeg");
});
