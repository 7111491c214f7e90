/**
 * Y4M (YUV4MPEG2, 4:2:0) files for Chromium's fake camera
 * (--use-file-for-fake-video-capture): RGB frames converted with BT.601 limited-range
 * coefficients, the chroma planes averaged over 2x2 blocks.
 */
import { writeFileSync } from "node:fs";
import type { RgbImage } from "../../src/face/image.ts";

/** Writes `frames` (all the same even width and height) as a Y4M file at `fps`. */
export function writeY4m(path: string, frames: readonly RgbImage[], fps = 25): void {
  if (!frames.length) throw new RangeError("writeY4m: no frames");
  const { width: W, height: H } = frames[0];
  if (W % 2 || H % 2) throw new RangeError(`writeY4m: width and height must be even for 4:2:0, got ${W}x${H}`);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const frameSize = 6 + W * H * 1.5;
  const out = Buffer.alloc(header.length + frames.length * frameSize);
  header.copy(out);
  let o = header.length;
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (const f of frames) {
    if (f.width !== W || f.height !== H) throw new RangeError(`writeY4m: frame ${f.width}x${f.height} differs from the first (${W}x${H})`);
    o += out.write("FRAME\n", o);
    const d = f.data;
    for (let i = 0; i < W * H; i++) out[o + i] = clamp(16 + 0.257 * d[3 * i] + 0.504 * d[3 * i + 1] + 0.098 * d[3 * i + 2]);
    o += W * H;
    const u = o, v = o + (W * H) / 4;
    for (let y = 0; y < H; y += 2) {
      for (let x = 0; x < W; x += 2) {
        let r = 0, g = 0, b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const k = 3 * ((y + dy) * W + x + dx);
          r += d[k]; g += d[k + 1]; b += d[k + 2];
        }
        r /= 4; g /= 4; b /= 4;
        const j = (y / 2) * (W / 2) + x / 2;
        out[u + j] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        out[v + j] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
    }
    o += (W * H) / 2;
  }
  writeFileSync(path, out);
}
