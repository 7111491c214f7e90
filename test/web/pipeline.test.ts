/**
 * The browser pipeline against Node's on the same frames, in headless chromium with a fake camera
 * (a SynthAU sequence, then a real photo). The landmark and AU networks are stand-ins with the
 * exported models' interfaces (test/helpers/onnx-standin.ts: per-channel means of their input
 * crops through a seeded linear map), so equal outputs mean the browser made the same crops as
 * Node: YuNet, the landmark crop and its resize, the alignment and its warp, the normalisation.
 * Also: the page analyses the camera, tracks ids, and downloads the CSV with `aunce detect`'s columns.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { root } from "../../scripts/web/build.ts";
import { MODEL_FILES, OPTIONAL_MODEL_FILES, startServer } from "../../scripts/web/serve.ts";
import { DEFAULT_GEOMETRY_MODEL_PATH } from "../../src/face/geometry-au.ts";
import { csvHeader } from "../../src/cli/detect/records.ts";
import { auInputs } from "../../src/face/align.ts";
import { ALIGN_TEMPLATE_V1, faceAlignment, landmarkBoxForYunet, landmarksFromOutput } from "../../src/face/geometry/index.ts";
import { FaceLandmark68Net } from "../../src/face/landmarks.ts";
import { YuNet } from "../../src/face/yunet.ts";
import type { RgbImage } from "../../src/face/image.ts";
import { createAuDetector as createNodeDetector } from "../../src/api/detector.ts";
import { defaultModelPath } from "../../src/face/au-model.ts";
import { exportOnnxBundle } from "../../src/export/bundle.ts";
import { browserSkipReason, launchChromium } from "../helpers/browser.ts";
import { linearStandIn, linearStandInRef, seeded } from "../helpers/onnx-standin.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { writeY4m } from "../helpers/y4m.ts";

const skip = browserSkipReason();
const AUS = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24];
const FIX = join(root, "test", "fixtures", "face");

// Stand-in weights. The landmark net's bias is the template's face layout squeezed into 0.1..0.9
// of its input, so the 68 points form a face and the alignment is a real similarity.
const rnd = seeded(11);
const Wl = Float32Array.from({ length: 3 * 136 }, () => 0.05 * rnd());
const bl = Float32Array.from(ALIGN_TEMPLATE_V1.points, (p) => 0.1 + (0.8 * p) / 256);
const Wa = Float32Array.from({ length: 3 * AUS.length }, () => 3 * rnd());
const ba = Float32Array.from({ length: AUS.length }, () => 0.5 * rnd());

async function rgbOf(src: sharp.Sharp): Promise<RgbImage> {
  const { data, info } = await src.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Node's pipeline (YuNet, its reframed landmark crop, alignment with the 5-point fallback, libtorch warp) with the stand-in networks. */
function nodeReference(img: RgbImage, yunet: YuNet, lm: FaceLandmark68Net) {
  const boxes = yunet.detect(img);
  if (!boxes.length) return [];
  const { x, crops } = lm.preprocess(img, boxes.map((b) => landmarkBoxForYunet(b)));
  const raw = linearStandInRef(x.data<"float32">(), boxes.length, 112, Wl, bl, false);
  x.dispose();
  const landmarks = landmarksFromOutput(raw, crops);
  const inputs = auInputs(img, landmarks.map((l, i) => faceAlignment(l, boxes[i].points).alignment));
  const probs = linearStandInRef(inputs.data<"float32">(), boxes.length, 224, Wa, ba, true);
  inputs.dispose();
  return boxes.map((b, i) => ({ box: b, landmarks: landmarks[i], probs: probs.slice(i * AUS.length, (i + 1) * AUS.length) }));
}

interface WebFace { box: { x: number; y: number; width: number; height: number }; landmarks: [number, number][]; aus: { au: number; probability: number }[]; id?: number }

describe("browser pipeline = Node pipeline (stand-in networks), and the page's CSV", { skip }, () => {
  let tmp: string;
  let server: { url: string; close(): Promise<void> };
  let yunet: YuNet;
  let lm: FaceLandmark68Net;

  before(async () => {
    tmp = makeTempDir("aunce-web-pipe-");
    const models = join(tmp, "models");
    mkdirSync(models);
    writeFileSync(join(models, MODEL_FILES.landmarks), linearStandIn(Wl, bl, false, 112));
    writeFileSync(join(models, MODEL_FILES.au), linearStandIn(Wa, ba, true, 224));
    writeFileSync(join(models, MODEL_FILES.sidecar), JSON.stringify({ aus: AUS.map((a) => `AU${String(a).padStart(2, "0")}`), template: "aunce-align-v1" }));
    server = await startServer({ port: 0, models, appDir: join(tmp, "app") });
    yunet = YuNet.load();
    lm = FaceLandmark68Net.load();
  });
  after(async () => {
    await server?.close();
    yunet?.dispose();
    lm?.dispose();
  });

  async function withCamera<T>(frames: RgbImage[], name: string, f: (page: Page) => Promise<T>): Promise<T> {
    const y4m = join(tmp, `${name}.y4m`);
    writeY4m(y4m, frames);
    const browser: Browser = await launchChromium({ fakeCamera: y4m });
    try {
      const ctx = await browser.newContext({ permissions: ["camera"], acceptDownloads: true });
      await ctx.addInitScript({ content: "globalThis.__name = (f) => f;" });
      const page = await ctx.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => (globalThis as unknown as { __aunce: { status: string } }).__aunce.status === "ready", null, { timeout: 30_000 });
      return await f(page);
    } finally {
      await browser.close();
    }
  }

  /**
   * detect() in the page on one camera frame; returns the faces, the faces of the frame mirrored
   * left-right (in the page), and the frame's RGB. `options` are createAuDetector's.
   */
  const detectInPage = (page: Page, files: Record<string, string> = Object.fromEntries(Object.entries(MODEL_FILES).map(([k, f]) => [k, `/models/${f}`])), options: Record<string, unknown> = {}) => page.evaluate(async ([files, options]) => {
    const m = await import("/aunce-web.js" as string);
    const d = await m.createAuDetector({ models: files, backend: "wasm", ...options });
    const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const v = Object.assign(document.createElement("video"), { muted: true, srcObject: s });
    await v.play();
    const c = Object.assign(document.createElement("canvas"), { width: 640, height: 480 });
    const g = c.getContext("2d")!;
    g.drawImage(v, 0, 0);
    s.getTracks().forEach((t) => t.stop());
    const frame = g.getImageData(0, 0, 640, 480);
    const faces = await d.detect(frame);
    const flipped = new ImageData(640, 480);
    for (let y = 0; y < 480; y++) for (let x = 0; x < 640; x++) for (let c = 0; c < 4; c++) flipped.data[4 * (640 * y + x) + c] = frame.data[4 * (640 * y + 639 - x) + c];
    const mirrored = await d.detect(flipped);
    const tracked = [];
    for (let i = 0; i < 7; i++) tracked.push((await d.track(frame)).map((f: { id: number }) => f.id));
    await d.dispose();
    let bin = "";
    for (let i = 0; i < 640 * 480; i++) bin += String.fromCharCode(frame.data[4 * i], frame.data[4 * i + 1], frame.data[4 * i + 2]);
    return { faces, mirrored, tracked, rgb: btoa(bin) };
  }, [files, options] as const);

  function compare(web: WebFace[], img: RgbImage): number {
    const ref = nodeReference(img, yunet, lm);
    assert.ok(ref.length > 0, "Node finds a face");
    assert.equal(web.length, ref.length);
    let maxP = 0;
    ref.forEach((r, i) => {
      const w = web[i];
      for (const k of ["x", "y", "width", "height"] as const) assert.ok(Math.abs(w.box[k] - r.box[k]) < 0.05, `box ${k}: ${w.box[k]} vs ${r.box[k]}`);
      w.landmarks.forEach(([x, y], j) => assert.ok(Math.hypot(x - r.landmarks[2 * j], y - r.landmarks[2 * j + 1]) < 0.05, `landmark ${j}`));
      assert.deepEqual(w.aus.map((a) => a.au), AUS);
      w.aus.forEach((a, k) => (maxP = Math.max(maxP, Math.abs(a.probability - r.probs[k]))));
    });
    assert.ok(maxP < 1e-3, `AU probabilities differ by ${maxP}`);
    return maxP;
  }

  test("a SynthAU sequence through the fake camera: same faces, landmarks and AU probabilities as Node", async (t) => {
    const frames: RgbImage[] = [];
    for (const f of ["F001_T1_203.jpg", "M011_T1_110.jpg"]) {
      const face = await sharp(join(FIX, "synth", f)).resize(400, 400).png().toBuffer();
      frames.push(await rgbOf(sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 96, b: 104 } } }).composite([{ input: face, left: 120, top: 40 }])));
    }
    const t0 = performance.now();
    const r = await withCamera(frames, "synth", detectInPage);
    const t1 = performance.now();
    t.diagnostic(`browser ${(t1 - t0).toFixed(0)} ms`);
    t.diagnostic(`max |p_web - p_node| = ${compare(r.faces, { width: 640, height: 480, data: new Uint8Array(Buffer.from(r.rgb, "base64")) }).toExponential(2)}, Node ${(performance.now() - t1).toFixed(0)} ms`);
    // track(): detector every 5th frame, one face keeps id 0
    assert.deepEqual(r.tracked, Array(7).fill([0]));
  });

  test("a real photo through the fake camera: same 4 faces, landmarks and AU probabilities as Node; the page's CSV", async (t) => {
    const photo = await rgbOf(sharp(join(FIX, "group.jpg")).resize(640, 480, { fit: "cover" }));
    await withCamera([photo, photo], "photo", async (page) => {
      const r = await detectInPage(page);
      assert.equal(r.faces.length, 4);
      t.diagnostic(`max |p_web - p_node| = ${compare(r.faces, { width: 640, height: 480, data: new Uint8Array(Buffer.from(r.rgb, "base64")) }).toExponential(2)}`);
      // the page itself: camera -> faces and AU bars -> CSV download
      await page.click("#camera");
      await page.waitForFunction(() => (globalThis as unknown as { __aunce: { records: unknown[] } }).__aunce.records.length >= 12, null, { timeout: 30_000 });
      await page.click("#stop");
      assert.equal(await page.locator("#faces .face").count(), 4);
      assert.equal(await page.locator("#faces .face").first().locator(".bar").count(), AUS.length);
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv")]);
      const csvPath = join(tmp, "page.csv");
      await download.saveAs(csvPath);
      const lines = readFileSync(csvPath, "utf8").trimEnd().split("\n");
      assert.equal(lines[0], csvHeader(AUS).join(","));
      const rows = lines.slice(1).map((l) => l.split(","));
      assert.ok(rows.length >= 12);
      for (const row of rows) {
        assert.equal(row.length, lines[0].split(",").length);
        assert.equal(row[0], "camera");
        assert.equal(row[5], "1", "success");
        for (const p of row.slice(10 + 136, 10 + 136 + AUS.length)) assert.ok(Number(p) >= 0 && Number(p) <= 1);
      }
      assert.deepEqual([...new Set(rows.map((r) => r[3]))].sort(), ["0", "1", "2", "3"], "four face ids");
      mkdirSync(join(root, "test-artifacts", "web"), { recursive: true });
      writeFileSync(join(root, "test-artifacts", "web", "page-faces.png"), await page.screenshot({ fullPage: true }));
    });
  });

  test("the exported bundled AU model and landmark net: the browser's AU probabilities equal Node's (createAuDetector) on the same camera frame within 1e-3, plain and with the geometry AU model fused", async (t) => {
    const modelPath = defaultModelPath();
    if (!modelPath) return t.skip("no bundled AU model (assets/models)");
    // The folder `aunce export bundled --format onnx -o <dir>` writes, as a user serves it.
    const real = join(tmp, "real-models");
    await exportOnnxBundle({ model: "bundled", outDir: real });
    // The optional geometry AU model, as a user copies it there (the plain run does not ask for it).
    writeFileSync(join(real, OPTIONAL_MODEL_FILES.geometry), readFileSync(DEFAULT_GEOMETRY_MODEL_PATH));
    const s2 = await startServer({ port: 0, models: real, appDir: join(tmp, "app-real") });
    const photo = await rgbOf(sharp(join(FIX, "group.jpg")).resize(640, 480, { fit: "cover" }));
    const y4m = join(tmp, "real.y4m");
    writeY4m(y4m, [photo]);
    const browser = await launchChromium({ fakeCamera: y4m });
    let r: Awaited<ReturnType<typeof detectInPage>>;
    let rg: Awaited<ReturnType<typeof detectInPage>>;
    let rm: Awaited<ReturnType<typeof detectInPage>>;
    try {
      const ctx = await browser.newContext({ permissions: ["camera"] });
      await ctx.addInitScript({ content: "globalThis.__name = (f) => f;" });
      const page = await ctx.newPage();
      await page.goto(s2.url);
      r = await detectInPage(page);
      const cfg = (await (await fetch(`${s2.url}config.json`)).json()) as { models: Record<string, string> };
      assert.equal(cfg.models.geometry, `/models/${OPTIONAL_MODEL_FILES.geometry}`);
      rg = await detectInPage(page, cfg.models);
      rm = await detectInPage(page, undefined, { mirrorAverage: true });
    } finally {
      await browser.close();
      await s2.close();
    }
    const frame = { width: 640, height: 480, data: new Uint8Array(Buffer.from(r.rgb, "base64")) };
    const node = await createNodeDetector({ model: modelPath });
    try {
      const want = await node.detect(frame);
      assert.equal(r.faces.length, want.length);
      assert.ok(want.length >= 3, `Node finds ${want.length} faces`);
      let maxP = 0, maxL = 0;
      want.forEach((n, i) => {
        const w = r.faces[i] as WebFace;
        n.landmarks.forEach(([x, y], j) => (maxL = Math.max(maxL, Math.hypot(x - w.landmarks[j][0], y - w.landmarks[j][1]))));
        n.aus.forEach((a, k) => {
          assert.equal(w.aus[k].au, a.au);
          maxP = Math.max(maxP, Math.abs(a.probability - w.aus[k].probability));
        });
      });
      t.diagnostic(`max |p_web - p_node| = ${maxP.toExponential(2)}, landmarks ${maxL.toExponential(2)} px`);
      assert.ok(maxL < 0.05, `landmarks differ by ${maxL} px`);
      assert.ok(maxP < 1e-3, `AU probabilities differ by ${maxP}`);
    } finally {
      node.dispose();
    }
    // With the geometry AU model fused (browser models.geometry, Node geometry: true): equal again,
    // and different from the plain run.
    const nodeG = await createNodeDetector({ model: modelPath, geometry: true });
    try {
      const want = await nodeG.detect(frame);
      assert.equal(rg.faces.length, want.length);
      let maxP = 0, moved = 0;
      want.forEach((n, i) => n.aus.forEach((a, k) => {
        const w = (rg.faces[i] as WebFace).aus[k].probability;
        maxP = Math.max(maxP, Math.abs(a.probability - w));
        if (Math.abs(w - (r.faces[i] as WebFace).aus[k].probability) > 1e-3) moved++;
      }));
      t.diagnostic(`geometry fused: max |p_web - p_node| = ${maxP.toExponential(2)}`);
      assert.ok(maxP < 1e-3, `fused AU probabilities differ by ${maxP}`);
      assert.ok(moved > 0, "the browser's fusion changed nothing");
    } finally {
      nodeG.dispose();
    }
    // mirrorAverage: the browser's equals Node's, and the frame and its mirror get the same AUs
    // (within 0.05, issue 15's criterion), where the plain detector's differ by more.
    const nodeM = await createNodeDetector({ model: modelPath, mirrorAverage: true });
    try {
      const want = await nodeM.detect(frame);
      assert.equal(rm.faces.length, want.length);
      let maxP = 0;
      want.forEach((n, i) => n.aus.forEach((a, k) => (maxP = Math.max(maxP, Math.abs(a.probability - (rm.faces[i] as WebFace).aus[k].probability)))));
      t.diagnostic(`mirror-averaged: max |p_web - p_node| = ${maxP.toExponential(2)}`);
      assert.ok(maxP < 1e-3, `mirror-averaged AU probabilities differ by ${maxP}`);
    } finally {
      nodeM.dispose();
    }
    /** Largest AU difference between each face and the face of the mirrored frame at its mirrored box. */
    const mirrorGap = (run: typeof rm) => {
      assert.equal(run.mirrored.length, run.faces.length);
      let gap = 0;
      for (const f of run.faces as WebFace[]) {
        const cx = 639 - (f.box.x + f.box.width / 2) + 1;
        const m = (run.mirrored as WebFace[]).reduce((a, b) => (Math.abs(b.box.x + b.box.width / 2 - cx) < Math.abs(a.box.x + a.box.width / 2 - cx) ? b : a));
        f.aus.forEach((a, k) => (gap = Math.max(gap, Math.abs(a.probability - m.aus[k].probability))));
      }
      return gap;
    };
    const plainGap = mirrorGap(r), averagedGap = mirrorGap(rm);
    t.diagnostic(`frame vs its mirror: max |dp| ${plainGap.toFixed(3)} plain, ${averagedGap.toExponential(2)} mirror-averaged`);
    assert.ok(averagedGap < 0.05, `mirror-averaged: a frame and its mirror differ by ${averagedGap}`);
    assert.ok(plainGap > averagedGap, "mirror averaging made the frame and its mirror no closer");
  });
});
