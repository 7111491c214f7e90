/**
 * Frame capture: any browser image source -> RGBA pixels (ImageData), through one reused canvas.
 * A MediaStream is played in a hidden <video> kept per stream, so consecutive calls read its
 * newest frame.
 */
import type { WebFrameInput } from "./types.ts";

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

let ctx: Canvas2D | null = null;
const streamVideos = new WeakMap<MediaStream, HTMLVideoElement>();

function context(width: number, height: number): Canvas2D {
  if (!ctx) {
    const c = typeof OffscreenCanvas === "function" ? new OffscreenCanvas(width, height) : Object.assign(document.createElement("canvas"), { width, height });
    ctx = c.getContext("2d", { willReadFrequently: true }) as Canvas2D | null;
    if (!ctx) throw new Error("aunce: this browser gives no 2D canvas context to read pixels with");
  }
  if (ctx.canvas.width !== width) ctx.canvas.width = width;
  if (ctx.canvas.height !== height) ctx.canvas.height = height;
  return ctx;
}

/** A playing hidden <video> for a stream, once it has a frame. */
async function videoFor(stream: MediaStream): Promise<HTMLVideoElement> {
  let v = streamVideos.get(stream);
  if (!v) {
    v = Object.assign(document.createElement("video"), { muted: true, playsInline: true, srcObject: stream });
    streamVideos.set(stream, v);
    await v.play();
  }
  if (v.readyState < 2) await new Promise<void>((ok) => v!.addEventListener("loadeddata", () => ok(), { once: true }));
  return v;
}

/** The source's intrinsic size (a video's frame size, an image's natural size). */
function sizeOf(src: Exclude<WebFrameInput, ImageData | MediaStream>): [number, number] {
  if (typeof HTMLVideoElement === "function" && src instanceof HTMLVideoElement) return [src.videoWidth, src.videoHeight];
  if (typeof HTMLImageElement === "function" && src instanceof HTMLImageElement) return [src.naturalWidth, src.naturalHeight];
  return [src.width, src.height];
}

/** Pixels of a frame: ImageData as given; anything else drawn to a canvas at its intrinsic size. */
export async function toImageData(input: WebFrameInput): Promise<ImageData> {
  if (typeof ImageData === "function" && input instanceof ImageData) return input;
  const src = typeof MediaStream === "function" && input instanceof MediaStream ? await videoFor(input) : input;
  if (src instanceof ImageData || src instanceof MediaStream) throw new TypeError("aunce: unreachable input kind");
  const [w, h] = sizeOf(src);
  if (!(w > 0 && h > 0)) {
    throw new TypeError(`aunce: the input has no pixels yet (${w}x${h}); wait for an <img>'s load or a <video>'s loadeddata event`);
  }
  const c = context(w, h);
  c.drawImage(src, 0, 0, w, h);
  return c.getImageData(0, 0, w, h);
}

/** True for the inputs toImageData accepts (a clear TypeError for others is the caller's). */
export function isFrameInput(x: unknown): x is WebFrameInput {
  const is = (name: string) => typeof (globalThis as Record<string, unknown>)[name] === "function" && x instanceof ((globalThis as Record<string, unknown>)[name] as new () => unknown);
  return ["ImageData", "HTMLImageElement", "HTMLVideoElement", "HTMLCanvasElement", "OffscreenCanvas", "ImageBitmap", "MediaStream"].some(is);
}

/** The frame mirrored left-right (pixel x -> width - 1 - x), as a new ImageData. */
export function mirrorImageData(img: ImageData): ImageData {
  const { width, height, data } = img;
  const out = new Uint8ClampedArray(data.length);
  const src = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) dst[row + x] = src[row + width - 1 - x];
  }
  return new ImageData(out, width, height);
}
