/**
 * The web page in a real browser (Debian chromium via playwright-core), headless, with a fake
 * camera fed from a Y4M made of a real photo: support checks and their messages, the camera path,
 * model-load failures, the no-off-origin rule, and a screenshot kept in test-artifacts/web/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { root } from "../../scripts/web/build.ts";
import { MODEL_FILES, SECURITY_HEADERS, startServer } from "../../scripts/web/serve.ts";
import { browserSkipReason, launchChromium } from "../helpers/browser.ts";
import { makeTempDir } from "../helpers/tmp.ts";
import { writeY4m } from "../helpers/y4m.ts";
import { YuNet } from "../../src/face/yunet.ts";

const skip = browserSkipReason();
const ARTIFACTS = join(root, "test-artifacts", "web");

interface PageState {
  status: string;
  messages: { code: string; kind: string; text: string }[];
  frames: number;
  frameSize: { width: number; height: number } | null;
}
const pageState = (p: Page) => p.evaluate(() => (globalThis as unknown as { __aunce: PageState }).__aunce);
const settled = (p: Page) => p.waitForFunction(() => !["starting", "loading"].includes((globalThis as unknown as { __aunce: PageState }).__aunce.status), null, { timeout: 30_000 });

describe("web page in chromium", { skip }, () => {
  let tmp: string;
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  const origin = () => new URL(server.url).origin;

  before(async () => {
    tmp = makeTempDir("aunce-web-");
    // The fake camera: a real photo (4 faces) framed 640x480, two frames.
    const { data, info } = await sharp(join(root, "test", "fixtures", "face", "group.jpg")).resize(640, 480, { fit: "cover" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    writeY4m(join(tmp, "camera.y4m"), [img, img]);
    server = await startServer({ port: 0, models: join(tmp, "no-models"), appDir: join(tmp, "app") });
    browser = await launchChromium({ fakeCamera: join(tmp, "camera.y4m") });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page in a fresh context; every request it makes is recorded. */
  async function open(opts: { camera?: boolean; noSimd?: boolean; url?: string } = {}): Promise<{ page: Page; requests: string[] }> {
    const ctx = await browser.newContext({ permissions: opts.camera === false ? [] : ["camera"] });
    const requests: string[] = [];
    ctx.on("request", (r) => requests.push(r.url()));
    // tsx compiles the functions given to page.evaluate with esbuild's keepNames, which calls __name.
    await ctx.addInitScript({ content: "globalThis.__name = (f) => f;" });
    if (opts.noSimd) {
      // A browser without wasm SIMD: its WebAssembly.validate refuses SIMD modules.
      await ctx.addInitScript(() => {
        const validate = WebAssembly.validate;
        WebAssembly.validate = (bytes: BufferSource) => (new Uint8Array(bytes as ArrayBuffer).includes(253) ? false : validate(bytes));
      });
    }
    const page = await ctx.newPage();
    await page.goto(opts.url ?? server.url);
    await settled(page);
    return { page, requests };
  }

  test("the server sends cross-origin isolation and a self-only content policy; the page is isolated", async () => {
    const res = await fetch(server.url);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers.get(k), v, k);
    assert.match(res.headers.get("content-security-policy")!, /default-src 'self'/);
    const { page } = await open();
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    // encoded ../ cannot climb out of the served folders
    for (const p of ["models/..%2F..%2Fpackage.json", "ort/..%2F..%2F..%2Fpackage.json", "..%2Fpackage.json"]) assert.equal((await fetch(server.url + p)).status, 404, p);
    await page.context().close();
  });

  test("without the exported models the page says which are missing; the fake camera still streams 640x480", async () => {
    const { page, requests } = await open();
    const s0 = await pageState(page);
    assert.equal(s0.status, "model-error");
    const msg = s0.messages.find((m) => m.code === "model-load");
    assert.ok(msg, JSON.stringify(s0.messages));
    assert.match(msg.text, /no landmarks, au, sidecar model file.*aunce export --format onnx/);
    assert.match(await page.textContent("#messages [data-code=model-load]") ?? "", /Model failed to load/);
    await page.click("#camera");
    await page.waitForFunction(() => (globalThis as unknown as { __aunce: PageState }).__aunce.frames >= 5, null, { timeout: 20_000 });
    const s = await pageState(page);
    assert.deepEqual(s.frameSize, { width: 640, height: 480 });
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, "page-camera.png"), await page.screenshot({ fullPage: true }));
    assert.ok(requests.length >= 4);
    for (const u of requests) assert.equal(new URL(u).origin, origin(), `request off the page's origin: ${u}`);
    await page.context().close();
  });

  test("a model the runtime cannot read is reported with its URL (onnxruntime-web runs in the page)", async () => {
    const models = join(tmp, "bad-models");
    mkdirSync(models, { recursive: true });
    for (const f of [MODEL_FILES.landmarks, MODEL_FILES.au]) writeFileSync(join(models, f), "not an onnx file");
    writeFileSync(join(models, MODEL_FILES.sidecar), JSON.stringify({ aus: ["AU01", "AU12"] }));
    const s2 = await startServer({ port: 0, models, appDir: join(tmp, "app2") });
    try {
      const { page, requests } = await open({ url: s2.url });
      const s = await pageState(page);
      assert.equal(s.status, "model-error");
      const msg = s.messages.find((m) => m.code === "model-load");
      assert.match(msg?.text ?? "", /cannot load the model at \/models\/(landmarks68|au)\.onnx: not a model onnxruntime-web can run/);
      // the runtime's own wasm came from the page's origin (threads: the jsep/threaded build)
      assert.ok(requests.some((u) => /\/ort\/ort-wasm-simd-threaded.*\.wasm$/.test(u)), requests.join("\n"));
      for (const u of requests) assert.equal(new URL(u).origin, new URL(s2.url).origin, u);
      await page.context().close();
    } finally {
      await s2.close();
    }
  });

  test("createFaceFinder (aunce-web.js) finds the photo's faces, from ImageData and from the camera's MediaStream", async () => {
    const ref = JSON.parse(readFileSync(join(root, "test", "fixtures", "face", "faceapi-reference.json"), "utf8")) as { images: { file: string; faces: { landmarks: [number, number][] }[] }[] };
    const noses = ref.images.find((i) => i.file.endsWith("group.jpg"))!.faces.map((f) => f.landmarks[30]);
    const { data, info } = await sharp(join(root, "test", "fixtures", "face", "group.jpg")).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { page } = await open();
    const found = await page.evaluate(async ({ rgb, width, height }) => {
      const m = await import("/aunce-web.js" as string);
      const finder = await m.createFaceFinder({ detector: "/models/yunet_n_dynamic.onnx", backend: "wasm" });
      const bytes = Uint8Array.from(atob(rgb), (c) => c.charCodeAt(0));
      const rgba = new Uint8ClampedArray(width * height * 4);
      for (let i = 0; i < width * height; i++) {
        rgba[4 * i] = bytes[3 * i]; rgba[4 * i + 1] = bytes[3 * i + 1]; rgba[4 * i + 2] = bytes[3 * i + 2]; rgba[4 * i + 3] = 255;
      }
      const still = await finder.find(new ImageData(rgba, width, height));
      const camera = await finder.find(await (async () => {
        // the camera frame the page reads, so Node can run on the very same pixels
        const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
        const v = Object.assign(document.createElement("video"), { muted: true, srcObject: s });
        await v.play();
        const c = Object.assign(document.createElement("canvas"), { width: 640, height: 480 });
        const g = c.getContext("2d")!;
        g.drawImage(v, 0, 0);
        s.getTracks().forEach((t) => t.stop());
        (globalThis as unknown as { cameraFrame: ImageData }).cameraFrame = g.getImageData(0, 0, 640, 480);
        return (globalThis as unknown as { cameraFrame: ImageData }).cameraFrame;
      })());
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      const live = await finder.find(stream);
      stream.getTracks().forEach((t) => t.stop());
      await finder.dispose();
      const plain = (fs: { x: number; y: number; width: number; height: number; score: number; points: Float32Array }[]) => fs.map((f) => ({ x: f.x, y: f.y, width: f.width, height: f.height, score: f.score, points: Array.from(f.points) }));
      const cf = (globalThis as unknown as { cameraFrame: ImageData }).cameraFrame;
      let bin = "";
      for (let i = 0; i < cf.width * cf.height; i++) bin += String.fromCharCode(cf.data[4 * i], cf.data[4 * i + 1], cf.data[4 * i + 2]);
      return { still: plain(still), live: plain(live), camera: plain(camera), cameraRgb: btoa(bin), backend: finder.backend };
    }, { rgb: Buffer.from(data).toString("base64"), width: info.width, height: info.height });
    assert.equal(found.backend, "wasm");
    // every face face-api found (4) is found, its nose tip within a tenth of the box of face-api's
    assert.equal(found.still.length, noses.length, JSON.stringify(found.still.map((f) => f.score)));
    for (const [nx, ny] of noses) {
      const f = found.still.find((b) => nx > b.x && nx < b.x + b.width && ny > b.y && ny < b.y + b.height);
      assert.ok(f, `no YuNet box holds face-api's nose at ${nx},${ny}`);
      assert.ok(Math.hypot(f.points[4] - nx, f.points[5] - ny) < 0.1 * f.width, `nose ${f.points[4]},${f.points[5]} vs ${nx},${ny}`);
      assert.ok(f.score > 0.6);
    }
    // the camera shows the photo framed 640x480 (cover: 16 rows cut top and bottom): the same faces
    assert.equal(found.live.length, noses.length);
    for (const [nx, ny] of noses) assert.ok(found.live.some((b) => Math.hypot(b.points[4] - nx, b.points[5] - (ny - 16)) < 0.1 * b.width), `camera: no face at ${nx},${ny - 16}`);
    // Node's YuNet (libtorch) on the same pixels, the photo's and a camera frame's: same faces,
    // boxes and points within 0.05 px, scores within 1e-3 (two engines' float32 convolutions)
    const net = YuNet.load();
    try {
      const cam = { width: 640, height: 480, data: new Uint8Array(Buffer.from(found.cameraRgb, "base64")) };
      const rgb = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
      for (const [img, web] of [[rgb, found.still], [cam, found.camera]] as const) {
        const node = net.detect(img);
        assert.equal(web.length, node.length);
        node.forEach((n, i) => {
          const w = web[i];
          assert.ok(Math.abs(w.score - n.score) < 1e-3, `score ${w.score} vs ${n.score}`);
          for (const k of ["x", "y", "width", "height"] as const) assert.ok(Math.abs(w[k] - n[k]) < 0.05, `${k} ${w[k]} vs ${n[k]}`);
          n.points.forEach((v, j) => assert.ok(Math.abs(w.points[j] - v) < 0.05, `point ${j} ${w.points[j]} vs ${v}`));
        });
      }
    } finally {
      net.dispose();
    }
    await page.context().close();
  });

  test("camera denied shows its message", async () => {
    const { page } = await open({ camera: false });
    await page.click("#camera");
    await page.waitForSelector("#messages [data-code=camera-denied]", { timeout: 10_000 });
    assert.match(await page.textContent("#messages [data-code=camera-denied]") ?? "", /Camera access was denied/);
    await page.context().close();
  });

  test("a browser without wasm SIMD is told so and the controls are disabled", async () => {
    const { page } = await open({ noSimd: true });
    const s = await pageState(page);
    assert.equal(s.status, "unsupported");
    assert.match(s.messages.find((m) => m.code === "no-simd")?.text ?? "", /lacks SIMD/);
    assert.equal(await page.isDisabled("#camera"), true);
    await page.context().close();
  });

  test("the page's content policy blocks a request to another origin", async () => {
    const { page, requests } = await open();
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push(e.blockedURI));
      try {
        await fetch("http://192.0.2.1/leak");
        return { fetched: true, violations };
      } catch {
        await new Promise((r) => setTimeout(r, 50));
        return { fetched: false, violations };
      }
    });
    assert.equal(outcome.fetched, false);
    assert.ok(outcome.violations.some((u) => u.startsWith("http://192.0.2.1")), JSON.stringify(outcome));
    assert.ok(!requests.some((u) => u.includes("192.0.2.1")), "the blocked request never left the page");
    await page.context().close();
  });
});
