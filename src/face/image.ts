/** Decoded images as the face pipeline passes them around: 8-bit RGB, row-major HWC. */
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { fromArray, type Tensor } from "../tensor/index.ts";

/** An 8-bit RGB image, data.length === width * height * 3 (HWC, row-major). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Decodes an image file or encoded buffer (JPEG, PNG, WebP, TIFF, GIF, AVIF: whatever sharp reads)
 * to RGB, applying EXIF orientation. Throws an Error naming `label` (the file) when undecodable.
 */
export async function decodeImage(input: string | Uint8Array, label = typeof input === "string" ? input : "<buffer>"): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = typeof input === "string" ? await readFile(input) : input;
  } catch (err) {
    throw new Error(`${label}: cannot read file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const { data, info } = await sharp(bytes).rotate().removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    throw new Error(`${label}: not a readable image (${(err as Error).message})`);
  }
}

/** RgbImage -> [1,3,H,W] float32 in 0..255. */
export function imageToTensor(img: RgbImage): Tensor {
  const hwc = fromArray(img.data, [img.height, img.width, 3], { dtype: "uint8" });
  const chw = hwc.permute([2, 0, 1]);
  const f = chw.to("float32");
  const b = f.unsqueeze(0);
  hwc.dispose();
  chw.dispose();
  f.dispose();
  return b;
}

/** The image flipped left-right. */
export function mirrorImage(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = y * row + x * 3, d = y * row + (img.width - 1 - x) * 3;
      out[d] = img.data[s]; out[d + 1] = img.data[s + 1]; out[d + 2] = img.data[s + 2];
    }
  }
  return { width: img.width, height: img.height, data: out };
}
