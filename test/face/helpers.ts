/** Shared fixtures of the face tests: the face-api reference outputs and the SynthAU renders. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { RgbImage } from "../../src/face/image.ts";

export const fx = (name: string): string => fileURLToPath(new URL(`../fixtures/face/${name}`, import.meta.url));

export interface RefFace { score: number; box: [number, number, number, number]; landmarks: [number, number][] }
export interface RefImage { file: string; width: number; height: number; faces: RefFace[] }

/** face-api 1.7.15's own outputs (scripts/fixtures/faceapi_reference.mjs). */
export function faceApiReference(): { minConfidence: number; images: RefImage[] } {
  return JSON.parse(readFileSync(fx("faceapi-reference.json"), "utf8"));
}

/** SynthAU renders with their exact landmarks (crop pixels). */
export function synthFaces(): { file: string; landmarks: number[] }[] {
  const rows = readFileSync(fx("synth/landmarks.csv"), "utf8").trim().split("\n").slice(1);
  return rows.map((l) => {
    const c = l.split(",");
    return { file: fx(`synth/${c[0].split("/").slice(1).join("_")}`), landmarks: c.slice(2).map(Number) };
  });
}

/** An image file decoded, optionally with a grey border of `pad` pixels (context for the detector). */
export async function loadPadded(file: string, pad = 0): Promise<RgbImage> {
  const { data, info } = await sharp(file).extend({ top: pad, bottom: pad, left: pad, right: pad, background: "#808080" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * A moving-face sequence: the face of group.jpg at (440,40) 180x200, pasted on a grey 400x300
 * canvas at x = x0 + step * k for frame k (a slow pan, as between video frames).
 */
export async function movingFaceFrames(n: number, x0 = 40, step = 6): Promise<RgbImage[]> {
  const face = await sharp(fx("group.jpg")).extract({ left: 440, top: 40, width: 180, height: 200 }).png().toBuffer();
  const frames: RgbImage[] = [];
  for (let k = 0; k < n; k++) {
    const { data, info } = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#7a7a7a" } })
      .composite([{ input: face, left: x0 + step * k, top: 50 }]).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    frames.push({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return frames;
}
