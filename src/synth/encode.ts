/**
 * Image encoding with the frame's blur and compression artefacts, through sharp (libvips).
 * BP4D-style crops are JPEG at the frame's quality; DISFA-style are PNG, optionally after a JPEG
 * round trip so both styles carry block artefacts.
 */
import sharp from "sharp";
import type { DegradeParams } from "./degrade.ts";

/** Output image format of a dataset style. */
export type ImageFormat = "jpg" | "png";

/** Encodes RGB uint8 [size*size*3] to an image file's bytes, blurring first (sigma >= 0.3 only). */
export async function encodeImage(rgb: Uint8Array, size: number, p: DegradeParams, format: ImageFormat): Promise<Buffer> {
  let img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: size, height: size, channels: 3 } });
  if (p.blur >= 0.3) img = img.blur(p.blur);
  if (format === "jpg") return img.jpeg({ quality: p.jpegQuality, chromaSubsampling: "4:2:0" }).toBuffer();
  if (p.jpegQuality < 100) {
    const jpg = await img.jpeg({ quality: p.jpegQuality }).toBuffer();
    img = sharp(jpg);
  }
  // Level 1: noisy crops barely compress further, and level 3+ costs 50 % more time.
  return img.png({ compressionLevel: 1 }).toBuffer();
}
