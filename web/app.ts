/**
 * The aunce web page: webcam or a chosen image/video -> face boxes, landmarks and AU bars per face,
 * FPS and per-stage timings, and a CSV with `aunce detect`'s columns. Everything runs in the page
 * (onnxruntime-web); the page requests nothing but its own origin (scripts/web/serve.ts).
 * `window.__aunce` exposes the page's state (messages, frames seen, last faces, CSV records) for
 * the browser tests and for anyone debugging the page.
 */
import { csvHeader, csvRow, type DetectRecord } from "../src/cli/detect/records.ts";
import { configureRuntime, ModelLoadError, UnsupportedBrowserError } from "../src/web/runtime.ts";
import { toImageData } from "../src/web/pixels.ts";
import { createAuDetector, type WebAuDetector } from "../src/web/detector.ts";
import type { DetectedFace, WebModelUrls } from "../src/web/types.ts";

type MessageCode = "no-wasm" | "no-simd" | "model-load" | "camera-denied" | "camera-missing" | "camera-error" | "file-error" | "info";

interface PageState {
  status: "starting" | "unsupported" | "loading" | "ready" | "model-error";
  messages: { code: MessageCode; kind: "error" | "info"; text: string }[];
  /** Frames read from the current source. */
  frames: number;
  /** Size of the last frame read. */
  frameSize: { width: number; height: number } | null;
  faces: DetectedFace[];
  records: DetectRecord[];
  aus: number[];
  fps: number;
  backend: string;
}

const state: PageState = { status: "starting", messages: [], frames: 0, frameSize: null, faces: [], records: [], aus: [], fps: 0, backend: "" };
(globalThis as { __aunce?: PageState }).__aunce = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const video = $<HTMLVideoElement>("video");
const image = $<HTMLImageElement>("image");
const overlay = $<HTMLCanvasElement>("overlay");
const buttons = { camera: $<HTMLButtonElement>("camera"), stop: $<HTMLButtonElement>("stop"), csv: $<HTMLButtonElement>("csv") };
const fileInput = $<HTMLInputElement>("file");

let detector: WebAuDetector | null = null;
let running: { stop(): void } | null = null;
let sourceName = "camera";

function show(code: MessageCode, kind: "error" | "info", text: string): void {
  state.messages.push({ code, kind, text });
  const div = document.createElement("div");
  div.className = `msg ${kind}`;
  div.dataset.code = code;
  div.textContent = text;
  $("messages").append(div);
}

function clearMessages(codes: MessageCode[]): void {
  for (const el of [...$("messages").children] as HTMLElement[]) if (codes.includes(el.dataset.code as MessageCode)) el.remove();
  state.messages = state.messages.filter((m) => !codes.includes(m.code));
}

/** The model URLs the server found (its /config.json), or a message saying what is missing. */
async function modelUrls(): Promise<WebModelUrls | null> {
  const res = await fetch("config.json");
  const cfg = (await res.json()) as { models: Record<keyof WebModelUrls, string | null> };
  const missing = (Object.keys(cfg.models) as (keyof WebModelUrls)[]).filter((k) => !cfg.models[k]);
  if (missing.length) {
    show("model-load", "error", `Model failed to load: the server has no ${missing.join(", ")} model file. Make them with "aunce export --format onnx -o web/models" and reload; the camera still works, without analysis.`);
    return null;
  }
  return cfg.models as WebModelUrls;
}

async function start(): Promise<void> {
  try {
    configureRuntime();
  } catch (err) {
    if (!(err instanceof UnsupportedBrowserError)) throw err;
    state.status = "unsupported";
    show(/SIMD/.test(err.message) ? "no-simd" : "no-wasm", "error", `This browser cannot run the models: ${err.message}.`);
    for (const b of Object.values(buttons)) b.disabled = true;
    fileInput.disabled = true;
    return;
  }
  state.status = "loading";
  const urls = await modelUrls();
  if (!urls) {
    state.status = "model-error";
    return;
  }
  try {
    detector = await createAuDetector({ models: urls });
    state.aus = detector.aus;
    state.backend = detector.backend;
    $("backend").textContent = `(${detector.backend})`;
    state.status = "ready";
  } catch (err) {
    state.status = "model-error";
    show("model-load", "error", `Model failed to load: ${err instanceof ModelLoadError ? err.message : String(err)}. Reload to try again; the camera still works, without analysis.`);
  }
}

function stopSource(): void {
  running?.stop();
  running = null;
  const s = video.srcObject as MediaStream | null;
  s?.getTracks().forEach((t) => t.stop());
  video.srcObject = null;
  buttons.stop.disabled = true;
}

async function startCamera(): Promise<void> {
  stopSource();
  clearMessages(["camera-denied", "camera-missing", "camera-error"]);
  if (!navigator.mediaDevices?.getUserMedia) {
    show("camera-missing", "error", "No camera API in this page (it needs a secure origin such as http://localhost).");
    return;
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (err) {
    const name = (err as DOMException).name;
    if (name === "NotAllowedError" || name === "SecurityError") show("camera-denied", "error", "Camera access was denied. Allow the camera for this page in the browser's site settings, or choose an image or video file instead.");
    else if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") show("camera-missing", "error", "No camera was found. Connect one, or choose an image or video file instead.");
    else show("camera-error", "error", `The camera could not be started (${name}: ${(err as Error).message}).`);
    return;
  }
  sourceName = "camera";
  image.hidden = true;
  video.hidden = false;
  video.srcObject = stream;
  await video.play();
  runVideo();
}

/** Per-frame loop over the <video>: capture, analyse, draw, record. */
function runVideo(): void {
  state.frames = 0;
  state.records = [];
  detector?.resetTracking();
  let stopped = false;
  const stamps: number[] = [];
  const t0 = performance.now();
  const step = async () => {
    if (stopped) return;
    if (video.readyState >= 2 && video.videoWidth > 0) {
      const frame = await toImageData(video);
      const timestamp = video.srcObject ? (performance.now() - t0) / 1000 : video.currentTime;
      await analyse(frame, timestamp);
      const now = performance.now();
      stamps.push(now);
      while (stamps.length && now - stamps[0] > 1000) stamps.shift();
      state.fps = stamps.length > 1 ? ((stamps.length - 1) * 1000) / (now - stamps[0]) : 0;
      $("fps").textContent = `${state.fps.toFixed(1)} fps`;
    }
    if (video.ended) return;
    if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(() => void step());
    else requestAnimationFrame(() => void step());
  };
  running = { stop: () => (stopped = true) };
  buttons.stop.disabled = false;
  void step();
}

async function analyse(frame: ImageData, timestamp: number, still = false): Promise<void> {
  state.frames++;
  state.frameSize = { width: frame.width, height: frame.height };
  const n = state.frames;
  const faces = detector ? (still ? await detector.detect(frame) : await detector.track(frame)) : [];
  state.faces = faces;
  if (detector) {
    if (!faces.length) state.records.push({ file: sourceName, frame: n, timestamp, faceId: 0, face: null });
    faces.forEach((f, i) => state.records.push({ file: sourceName, frame: n, timestamp, faceId: f.id ?? i, face: f }));
    buttons.csv.disabled = state.records.length === 0;
    renderTimes();
  }
  draw(frame.width, frame.height, faces);
  renderFaces(faces);
}

function draw(width: number, height: number, faces: DetectedFace[]): void {
  overlay.width = width;
  overlay.height = height;
  const g = overlay.getContext("2d")!;
  g.clearRect(0, 0, width, height);
  g.lineWidth = Math.max(2, width / 320);
  for (const f of faces) {
    g.strokeStyle = "#3cf06e";
    g.strokeRect(f.box.x, f.box.y, f.box.width, f.box.height);
    g.fillStyle = "#ffd23c";
    for (const [x, y] of f.landmarks) g.fillRect(x - 1.5, y - 1.5, 3, 3);
    g.fillStyle = "#3cf06e";
    g.font = `${Math.max(12, width / 40)}px system-ui`;
    g.fillText(`face ${f.id ?? 0}  ${(f.confidence * 100).toFixed(0)}%`, f.box.x, Math.max(12, f.box.y - 4));
  }
}

function renderFaces(faces: DetectedFace[]): void {
  const root = $("faces");
  root.replaceChildren();
  faces.forEach((f, i) => {
    const box = document.createElement("div");
    box.className = "face";
    const h = document.createElement("h3");
    h.textContent = `Face ${f.id ?? i}`;
    box.append(h);
    for (const a of f.aus) {
      const row = document.createElement("div");
      row.className = `bar${a.present ? " present" : ""}`;
      const name = document.createElement("span");
      name.textContent = a.name;
      const track = document.createElement("span");
      track.className = "track";
      const fill = document.createElement("span");
      fill.className = "fill";
      fill.style.display = "block";
      fill.style.width = `${(a.probability * 100).toFixed(1)}%`;
      track.append(fill);
      const val = document.createElement("span");
      val.textContent = a.probability.toFixed(2);
      row.append(name, track, val);
      box.append(row);
    }
    root.append(box);
  });
}

function renderTimes(): void {
  if (!detector) return;
  const t = detector.lastTimes;
  const body = $("times").querySelector("tbody")!;
  body.replaceChildren();
  for (const [k, v] of Object.entries(t)) {
    const tr = document.createElement("tr");
    const a = document.createElement("td");
    a.textContent = k;
    const b = document.createElement("td");
    b.textContent = `${v.toFixed(1)} ms`;
    tr.append(a, b);
    body.append(tr);
  }
}

function downloadCsv(): void {
  const lines = [csvHeader(state.aus).join(","), ...state.records.map((r) => csvRow(r, state.aus))];
  const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: `aunce-${sourceName.replace(/[^\w.-]+/g, "_")}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function openFile(file: File): Promise<void> {
  stopSource();
  clearMessages(["file-error"]);
  sourceName = file.name;
  const url = URL.createObjectURL(file);
  if (file.type.startsWith("image/")) {
    image.src = url;
    try {
      await image.decode();
    } catch {
      show("file-error", "error", `${file.name}: not an image this browser can decode.`);
      return;
    }
    image.hidden = false;
    video.hidden = true;
    state.frames = 0;
    state.records = [];
    await analyse(await toImageData(image), 0, true);
  } else if (file.type.startsWith("video/")) {
    image.hidden = true;
    video.hidden = false;
    video.src = url;
    try {
      await video.play();
    } catch {
      show("file-error", "error", `${file.name}: not a video this browser can play.`);
      return;
    }
    runVideo();
  } else show("file-error", "error", `${file.name}: choose an image or a video file (got ${file.type || "an unknown type"}).`);
}

buttons.camera.addEventListener("click", () => void startCamera());
buttons.stop.addEventListener("click", stopSource);
buttons.csv.addEventListener("click", downloadCsv);
fileInput.addEventListener("change", () => {
  const f = fileInput.files?.[0];
  if (f) void openFile(f);
});
void start();
