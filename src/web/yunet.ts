/**
 * The YuNet face detector on onnxruntime-web: the frame is brought to YuNet's input (BGR 0..255,
 * scaled down when its longer side exceeds detectorSize, padded bottom/right with zeros to
 * multiples of 32), run, and decoded by the shared geometry (src/face/geometry/yunet-decode.ts).
 */
import type * as ort from "onnxruntime-web";
import { YUNET_STRIDES, yunetFaces, yunetInputGeometry, type ResolvedDetectorOptions, type YunetFace } from "../face/geometry/index.ts";
import type { PixelImage } from "../face/geometry/warp.ts";
import { runFloat } from "./runtime.ts";

/**
 * YuNet's input [1,3,inputHeight,inputWidth] float32 (BGR, 0..255) for RGB/RGBA pixels. A scale
 * below 1 resamples bilinearly at pixel centres (as torch's interpolate, align_corners=false).
 */
export function yunetInput(img: PixelImage, detectorSize: number): { data: Float32Array; dims: number[]; scale: number } {
  const g = yunetInputGeometry(img.width, img.height, detectorSize);
  const ch = img.data.length / (img.width * img.height);
  const plane = g.inputWidth * g.inputHeight;
  const data = new Float32Array(3 * plane);
  const sx = img.width / g.width, sy = img.height / g.height;
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const o = y * g.inputWidth + x;
      if (g.scale === 1) {
        const k = (y * img.width + x) * ch;
        data[o] = img.data[k + 2];
        data[o + plane] = img.data[k + 1];
        data[o + 2 * plane] = img.data[k];
        continue;
      }
      const px = Math.max(0, (x + 0.5) * sx - 0.5), py = Math.max(0, (y + 0.5) * sy - 0.5);
      const x0 = Math.min(Math.floor(px), img.width - 1), y0 = Math.min(Math.floor(py), img.height - 1);
      const x1 = Math.min(x0 + 1, img.width - 1), y1 = Math.min(y0 + 1, img.height - 1);
      const fx = px - x0, fy = py - y0;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * ch + c];
        const v = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
        data[o + (2 - c) * plane] = v;
      }
    }
  }
  return { data, dims: [1, 3, g.inputHeight, g.inputWidth], scale: g.scale };
}

/** Faces in `img`, best first, in image pixels (boxes clipped to the image; 5 points each). */
export async function detectYunet(session: ort.InferenceSession, img: PixelImage, opts: ResolvedDetectorOptions): Promise<YunetFace[]> {
  const input = yunetInput(img, opts.detectorSize);
  const out = await runFloat(session, input.data, input.dims);
  const get = (name: string) => {
    const t = out[name];
    if (!t) throw new Error(`YuNet model: no output '${name}' (outputs: ${Object.keys(out).join(", ")})`);
    return t.data;
  };
  const outputs = YUNET_STRIDES.map((s) => ({ cls: get(`cls_${s}`), obj: get(`obj_${s}`), bbox: get(`bbox_${s}`), kps: get(`kps_${s}`) }));
  return yunetFaces(outputs, input.dims[3], input.dims[2], {
    scoreThreshold: opts.scoreThreshold,
    nmsThreshold: opts.nmsThreshold,
    maxFaces: opts.maxFaces,
    scale: 1 / input.scale,
    imageWidth: img.width,
    imageHeight: img.height,
  });
}
