import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { run } from "../../src/cli/main.ts";
import { csvHeader } from "../../src/cli/detect/records.ts";
import { createAuDetector } from "../../src/api/detector.ts";
import { LinearProbeAuModel } from "../../src/face/au-model.ts";
import { probeVideo } from "../../src/face/video.ts";
import { writeAunceCheckpoint } from "../../src/models/checkpoint/aunce-format.ts";
import { rawTensor, type RawDType, type RawStateDict } from "../../src/models/checkpoint/raw.ts";
import { manualSeed, toBytes } from "../../src/tensor/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/face/${name}`, import.meta.url));
const hasFfmpeg = spawnSync("ffmpeg", ["-version"], { stdio: "ignore" }).status === 0;
const noFfmpeg = hasFfmpeg ? false : "ffmpeg not installed (apt-get install ffmpeg)";
const BP4D = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];

let dir = "";
before(async () => {
  dir = makeTempDir("detect-cli-");
  mkdirSync(join(dir, "in"));
  copyFileSync(fx("group.jpg"), join(dir, "in", "group.jpg"));
  copyFileSync(fx("synth/F001_T1_203.jpg"), join(dir, "in", "synth.jpg"));
  await sharp({ create: { width: 200, height: 150, channels: 3, background: "#5a7d9a" } }).png().toFile(join(dir, "in", "empty.png"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
});

/** Runs the CLI in-process, capturing stderr; the fixed untrained stand-in is the tiny ResNet. */
async function cli(t: import("node:test").TestContext, ...args: string[]) {
  const err: string[] = [];
  t.mock.method(console, "error", (...a: unknown[]) => err.push(a.join(" ")));
  const code = await run(["node", "aunce", "detect", "--no-progress", "--untrained", "resnet_tiny", ...args]);
  t.mock.restoreAll();
  process.exitCode = undefined; // the action sets it; keep it from leaking into the test process
  return { code, err: err.join("\n") };
}

function readCsv(file: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = readFileSync(file, "utf8").trim().split("\n");
  const header = lines[0].split(",");
  return { header, rows: lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v]))) };
}

test("detect: CSV schema, one row per face, success-0 row for no face, warnings for bad inputs, batch goes on", async (t) => {
  const out = join(dir, "a.csv");
  const r = await cli(t, join(dir, "in"), join(dir, "notes.txt"), join(dir, "missing.jpg"), "-o", out);
  assert.equal(r.code, 0, r.err);
  const { header, rows } = readCsv(out);
  const want = ["file", "frame", "timestamp", "face_id", "confidence", "success", "x", "y", "w", "h",
    ...Array.from({ length: 68 }, (_, i) => `x_${i}`), ...Array.from({ length: 68 }, (_, i) => `y_${i}`),
    ...BP4D.map((a) => `AU${String(a).padStart(2, "0")}_r`), ...BP4D.map((a) => `AU${String(a).padStart(2, "0")}_c`),
    ...Array.from({ length: 5 }, (_, i) => `kp_x_${i}`), ...Array.from({ length: 5 }, (_, i) => `kp_y_${i}`), "aligned_on"];
  assert.deepEqual(header, want);
  assert.deepEqual(csvHeader(BP4D), want);
  const byFile = (name: string) => rows.filter((x) => x.file.endsWith(name));
  const group = byFile("group.jpg");
  assert.equal(group.length, 4);
  assert.deepEqual(group.map((x) => x.face_id), ["0", "1", "2", "3"]);
  for (const row of group) {
    assert.equal(row.success, "1");
    assert.equal(row.frame, "1");
    assert.equal(row.timestamp, "0.000");
    assert.ok(Number(row.confidence) > 0.5);
    // The nose tip lies inside the face box; so do YuNet's eyes (its nose point within 0.5 box widths of x_30).
    assert.ok(Number(row.x_30) > Number(row.x) && Number(row.x_30) < Number(row.x) + Number(row.w));
    for (const k of [0, 1]) assert.ok(Number(row[`kp_x_${k}`]) > Number(row.x) && Number(row[`kp_y_${k}`]) < Number(row.y) + Number(row.h));
    assert.ok(Math.abs(Number(row.kp_x_2) - Number(row.x_30)) < 0.5 * Number(row.w));
    assert.equal(row.aligned_on, "landmarks68");
    for (const a of BP4D) {
      const n = `AU${String(a).padStart(2, "0")}`;
      const p = Number(row[`${n}_r`]);
      assert.ok(p >= 0 && p <= 1);
      assert.equal(row[`${n}_c`], p >= 0.5 ? "1" : "0");
    }
  }
  assert.equal(byFile("synth.jpg").length, 1);
  const empty = byFile("empty.png");
  assert.equal(empty.length, 1);
  assert.equal(empty[0].success, "0");
  assert.equal(empty[0].aligned_on, "");
  assert.equal(empty[0].x, "");
  assert.equal(empty[0].AU01_r, "");
  assert.ok(!rows.some((x) => x.file.includes("notes.txt")));
  assert.match(r.err, /notes\.txt: not a readable image/);
  assert.match(r.err, /missing\.jpg: no such file or folder/);
  assert.match(r.err, /empty\.png: no face found/);
  assert.match(r.err, /UNTRAINED/);
});

test("detect: --thresholds sets per-AU presence; --json has the same records; globs expand", async (t) => {
  const th = join(dir, "th.yaml");
  writeFileSync(th, "AU01: 0\n2: 1\n");
  const out = join(dir, "b.json");
  const r = await cli(t, join(dir, "in", "**", "*.jpg"), "--json", "--thresholds", th, "-o", out);
  assert.equal(r.code, 0, r.err);
  const recs = JSON.parse(readFileSync(out, "utf8")) as any[];
  assert.equal(recs.length, 5); // group (4) + synth (1); the PNG does not match the glob
  for (const rec of recs) {
    assert.equal(rec.success, 1);
    assert.equal(rec.landmarks.length, 68);
    assert.equal(rec.aus.AU01.present, true);
    assert.equal(rec.aus.AU02.present, false);
    assert.equal(rec.aus.AU04.present, rec.aus.AU04.probability >= 0.5);
    assert.ok(rec.box.w > 0 && rec.box.h > 0);
  }
  writeFileSync(th, "AU01: 1.5\n");
  const bad = await cli(t, fx("group.jpg"), "--thresholds", th, "-o", join(dir, "x.csv"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--thresholds .*th\.yaml: AU01: expected a number in \[0, 1\], got 1\.5/);
});

test("detect: --detector ssd still works; bad detector flags are refused before any work", async (t) => {
  for (const detector of ["yunet", "ssd"]) {
    const out = join(dir, `det-${detector}.csv`);
    const r = await cli(t, fx("group2.jpg"), "--detector", detector, "--min_confidence", "0.5", "--nms_threshold", "0.4", "-o", out);
    assert.equal(r.code, 0, r.err);
    assert.equal(readCsv(out).rows.length, 3, `${detector}: faces in group2.jpg`);
  }
  const bad: [string[], RegExp][] = [
    [["--detector", "mtcnn"], /--detector: expected one of yunet, ssd, got 'mtcnn'/],
    [["--nms_threshold", "0"], /--nms_threshold: expected a number in \(0, 1\], got '0'/],
    [["--detector_size", "10"], /--detector_size: expected a whole number >= 32, got '10'/],
    [["--min_confidence", "1"], /--min_confidence: expected a number between 0 and 1, got '1'/],
  ];
  for (const [flags, re] of bad) {
    const r = await cli(t, fx("group2.jpg"), ...flags, "-o", join(dir, "bad.csv"));
    assert.equal(r.code, 1);
    assert.match(r.err, re);
  }
});

test("detect --geometry fuses the landmark-geometry AU model: same columns and rows, other AU probabilities; a bad file is refused", async (t) => {
  const plain = join(dir, "geo-plain.csv"), fused = join(dir, "geo-fused.csv");
  assert.equal((await cli(t, fx("group2.jpg"), "-o", plain)).code, 0);
  const r = await cli(t, fx("group2.jpg"), "--geometry", "-o", fused);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /fusing the AU model with the bundled landmark-geometry AU model/);
  const a = readCsv(plain), b = readCsv(fused);
  assert.deepEqual(b.header, a.header);
  assert.equal(b.rows.length, a.rows.length);
  const p = (row: Record<string, string>) => BP4D.map((au) => Number(row[`AU${String(au).padStart(2, "0")}_r`]));
  assert.ok(p(a.rows[0]).every(Number.isFinite), `AU columns: ${a.header.filter((h) => h.startsWith("AU")).join(",")}`);
  assert.ok(b.rows.some((row, i) => p(row).some((v, k) => Math.abs(v - p(a.rows[i])[k]) > 1e-3)), "the fusion changed nothing");
  const bad = await cli(t, fx("group2.jpg"), "--geometry", join(dir, "notes.txt"), "-o", join(dir, "bad.csv"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--geometry: .*notes\.txt: cannot read a geometry AU model/);
});

test("detect: --overlay writes a PNG of the image's size; all-bad input exits 1", async (t) => {
  const ov = join(dir, "ov");
  const r = await cli(t, fx("group2.jpg"), "--overlay", ov, "-o", join(dir, "c.csv"));
  assert.equal(r.code, 0, r.err);
  const meta = await sharp(join(ov, "group2.overlay.png")).metadata();
  assert.deepEqual([meta.width, meta.height], [480, 338]);
  const a = await sharp(join(ov, "group2.overlay.png")).raw().toBuffer();
  const b = await sharp(fx("group2.jpg")).raw().toBuffer();
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 40) changed++;
  assert.ok(changed > 1000, `overlay drew ${changed} values`);
  const bad = await cli(t, join(dir, "notes.txt"), "-o", join(dir, "d.csv"));
  assert.equal(bad.code, 1);
});

test("detect --model reads an aunce checkpoint: its AUs become the columns, its outputs the probabilities", async (t) => {
  manualSeed(3);
  const model = new LinearProbeAuModel("resnet_tiny", [1, 2, 4]);
  const sd: RawStateDict = new Map();
  for (const [k, v] of model.stateDict()) sd.set(k, rawTensor(v.dtype as RawDType, [...v.shape], toBytes(v)));
  const ck = join(dir, "m.safetensors");
  await writeAunceCheckpoint(ck, { meta: { aus: [1, 2, 4], backbone: "resnet_tiny", normalisation: { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] }, config: {} }, model: sd });
  const out = join(dir, "e.csv");
  const r = await cli(t, fx("group2.jpg"), "--model", ck, "-o", out);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /UNTRAINED/);
  const { header, rows } = readCsv(out);
  assert.deepEqual(header.slice(-17, -11), ["AU01_r", "AU02_r", "AU04_r", "AU01_c", "AU02_c", "AU04_c"]);
  const d = await createAuDetector({ model });
  const faces = await d.detect(fx("group2.jpg"));
  d.dispose();
  model.dispose();
  assert.equal(rows.length, faces.length);
  rows.forEach((row, i) => faces[i].aus.forEach((a) => assert.ok(Math.abs(Number(row[`${a.name}_r`]) - a.probability) < 1e-4)));
  const wrong = join(dir, "w.safetensors");
  await writeAunceCheckpoint(wrong, { meta: { aus: [1], backbone: "swin_b", normalisation: { mean: [0, 0, 0], std: [1, 1, 1] }, config: {} }, model: new Map() });
  const bad = await cli(t, fx("group2.jpg"), "--model", wrong, "-o", join(dir, "f.csv"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /w\.safetensors: detect cannot build backbone 'swin_b'/);
});

async function makeFaceVideo(): Promise<string> {
  const face = join(dir, "face.png");
  await sharp(fx("group.jpg")).extract({ left: 440, top: 40, width: 180, height: 200 }).png().toFile(face);
  const file = join(dir, "clip.mp4");
  const r = spawnSync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x480:rate=10:duration=1", "-i", face,
    "-filter_complex", "[0][1]overlay=x='100+100*t':y=120", "-pix_fmt", "yuv420p", file]);
  assert.equal(r.status, 0, String(r.stderr));
  return file;
}

test("detect on a generated video: streamed frames, --every, timestamps, stable face id, overlay video", { skip: noFfmpeg }, async (t) => {
  const video = await makeFaceVideo();
  const out = join(dir, "v.csv");
  const ov = join(dir, "vov");
  const r = await cli(t, video, "--every", "2", "--detect-every", "2", "--overlay", ov, "-o", out);
  assert.equal(r.code, 0, r.err);
  const { rows } = readCsv(out);
  assert.deepEqual(rows.map((x) => x.frame), ["1", "3", "5", "7", "9"]);
  assert.deepEqual(rows.map((x) => x.timestamp), ["0.000", "0.200", "0.400", "0.600", "0.800"]);
  assert.ok(rows.every((x) => x.success === "1" && x.face_id === "0"));
  // The face moves right at 100 px/s: 20 px per processed frame.
  const xs = rows.map((x) => Number(x.x_30));
  for (let i = 1; i < xs.length; i++) assert.ok(Math.abs(xs[i] - xs[i - 1] - 20) < 6, `nose x ${xs[i - 1]} -> ${xs[i]}`);
  const info = probeVideo(join(ov, "clip.overlay.mp4"));
  assert.deepEqual([info.width, info.height], [640, 480]);
  assert.equal(info.fps, 5);
  // The default detector interval ("auto": 0.2 s, 2 frames of this 10 fps clip) follows the same face.
  const auto = join(dir, "auto.csv");
  const ra = await cli(t, video, "-o", auto);
  assert.equal(ra.code, 0, ra.err);
  const autoRows = readCsv(auto).rows;
  assert.equal(autoRows.length, 10);
  assert.ok(autoRows.every((x) => x.success === "1" && x.face_id === "0"));
  const bad = await cli(t, video, "--detect-every", "often");
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /--detect_every: expected 'auto' or a whole number >= 1, got 'often'/);
});

test("detect without ffmpeg: the video is skipped with a warning naming it, images still run", { skip: noFfmpeg }, async (t) => {
  const video = join(dir, "clip.mp4");
  if (!existsSync(video)) await makeFaceVideo();
  const path = process.env.PATH;
  process.env.PATH = join(dir, "no-bin");
  process.env.AUNCE_NO_INSTALL = "1";
  try {
    const out = join(dir, "g.csv");
    const r = await cli(t, video, fx("group2.jpg"), "-o", out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /clip\.mp4: ffmpeg and ffprobe are needed for video but were not found on PATH/);
    assert.match(r.err, /apt-get install -y ffmpeg/);
    const { rows } = readCsv(out);
    assert.equal(rows.length, 3);
    assert.ok(rows.every((x) => x.file.endsWith("group2.jpg")));
  } finally {
    process.env.PATH = path;
    delete process.env.AUNCE_NO_INSTALL;
  }
});

test("live sources: webcam names map to v4l2 devices, lavfi streams run through the video path", { skip: noFfmpeg }, async (t) => {
  const { liveSourceArgs } = await import("../../src/face/video.ts");
  assert.deepEqual(liveSourceArgs("webcam"), ["-f", "v4l2", "-i", "/dev/video0"]);
  assert.deepEqual(liveSourceArgs("webcam:2"), ["-f", "v4l2", "-i", "/dev/video2"]);
  assert.deepEqual(liveSourceArgs("/dev/video1"), ["-f", "v4l2", "-i", "/dev/video1"]);
  assert.equal(liveSourceArgs("clip.mp4"), null);
  // A face moving over a live test pattern, as a camera would deliver it (5 frames at 5 fps).
  const face = join(dir, "live-face.png");
  await sharp(fx("group.jpg")).extract({ left: 440, top: 40, width: 180, height: 200 }).png().toFile(face);
  const out = join(dir, "live.csv");
  const r = await cli(t, `lavfi:testsrc=size=480x360:rate=5:duration=1[bg];movie=${face}[f];[bg][f]overlay=120:80`, "-o", out);
  assert.equal(r.code, 0, r.err);
  const { rows } = readCsv(out);
  assert.deepEqual(rows.map((x) => x.frame), ["1", "2", "3", "4", "5"]);
  assert.ok(rows.every((x) => x.success === "1" && x.face_id === "0"), "one face followed through the stream");
});
