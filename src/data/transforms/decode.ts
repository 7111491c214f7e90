/** Image decoding with sharp (JPEG/PNG) to 8-bit RGB, alpha dropped, grayscale expanded to 3 channels. */
import sharp from "sharp";
import type { RgbImage } from "./image.ts";

/** Decodes the image file at `file` to an HWC uint8 RGB image; errors name the file. */
export async function decodeRgb(file: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(file).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw new Error(`cannot decode image ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
