/**
 * YuNet's output decoding on plain Float32Arrays (no engine): the same code serves the libtorch
 * path (src/face/yunet.ts) and the browser's onnxruntime-web path.
 *
 * Per stride s in {8, 16, 32} the network gives one prior per cell of the (H/s) x (W/s) grid,
 * row-major (assets/yunet/README.md; as OpenCV's FaceDetectorYN decodes it): cls and obj (already
 * sigmoid-activated; score = sqrt(cls * obj), each clamped to 0..1 first), bbox (dx, dy, log w,
 * log h: centre ((col + dx) s, (row + dy) s), size exp(.) s) and 5 key points ((col + kx) s,
 * (row + ky) s): right eye, left eye, nose tip, right mouth corner, left mouth corner (the
 * subject's right, i.e. the left one in the image for a frontal face).
 */
import { nms, type ScoredRect } from "./box.ts";

/** YuNet's strides, in output order. */
export const YUNET_STRIDES = [8, 16, 32] as const;

/** Input sides must be multiples of this (the coarsest stride). */
export const YUNET_ALIGN = 32;

/** One stride's outputs for one image: cls, obj [n], bbox [n*4], kps [n*10], n = (H/s)(W/s). */
export interface YunetStrideOutput {
  cls: Float32Array;
  obj: Float32Array;
  bbox: Float32Array;
  kps: Float32Array;
}

/** A face: box and score, plus YuNet's 5 points [x0, y0, ..., x4, y4] in the same pixels. */
export interface YunetFace extends ScoredRect {
  points: Float32Array;
}

/** The smallest multiple of 32 >= n (at least 32). */
export function padToStride(n: number): number {
  return Math.max(YUNET_ALIGN, Math.ceil(n / YUNET_ALIGN) * YUNET_ALIGN);
}

/**
 * The YuNet input for an image: the resize factor (<= 1; the longer side is brought down to
 * `detectorSize` when larger) and the padded input size (each side rounded up to a multiple of 32).
 */
export function yunetInputGeometry(width: number, height: number, detectorSize: number): { scale: number; width: number; height: number; inputWidth: number; inputHeight: number } {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`yunetInputGeometry: image size must be at least 1x1, got ${width}x${height}`);
  const scale = Math.min(1, detectorSize / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
  return { scale, width: w, height: h, inputWidth: padToStride(w), inputHeight: padToStride(h) };
}

/**
 * Candidates scoring >= scoreThreshold from the three strides' outputs of a (padded) input of
 * inputWidth x inputHeight, in that input's pixels. Throws when an output's length does not match
 * the grid.
 */
export function decodeYunet(outputs: readonly YunetStrideOutput[], inputWidth: number, inputHeight: number, scoreThreshold: number): YunetFace[] {
  if (outputs.length !== YUNET_STRIDES.length) throw new RangeError(`decodeYunet: expected ${YUNET_STRIDES.length} stride outputs (8, 16, 32), got ${outputs.length}`);
  if (inputWidth % YUNET_ALIGN || inputHeight % YUNET_ALIGN || inputWidth <= 0 || inputHeight <= 0) {
    throw new RangeError(`decodeYunet: input size must be positive multiples of ${YUNET_ALIGN}, got ${inputWidth}x${inputHeight}`);
  }
  const faces: YunetFace[] = [];
  YUNET_STRIDES.forEach((s, k) => {
    const o = outputs[k];
    const cols = inputWidth / s, rows = inputHeight / s, n = cols * rows;
    const lens = [["cls", o.cls.length, n], ["obj", o.obj.length, n], ["bbox", o.bbox.length, 4 * n], ["kps", o.kps.length, 10 * n]] as const;
    for (const [name, got, want] of lens) if (got !== want) throw new RangeError(`decodeYunet: stride ${s} ${name} has ${got} values, expected ${want} for a ${inputWidth}x${inputHeight} input`);
    for (let i = 0; i < n; i++) {
      const cls = Math.min(Math.max(o.cls[i], 0), 1), obj = Math.min(Math.max(o.obj[i], 0), 1);
      const score = Math.sqrt(cls * obj);
      if (!(score >= scoreThreshold)) continue;
      const col = i % cols, row = (i - col) / cols;
      const b = 4 * i;
      const cx = (col + o.bbox[b]) * s, cy = (row + o.bbox[b + 1]) * s;
      const w = Math.exp(o.bbox[b + 2]) * s, h = Math.exp(o.bbox[b + 3]) * s;
      const points = new Float32Array(10);
      for (let p = 0; p < 5; p++) {
        points[2 * p] = (col + o.kps[10 * i + 2 * p]) * s;
        points[2 * p + 1] = (row + o.kps[10 * i + 2 * p + 1]) * s;
      }
      faces.push({ x: cx - w / 2, y: cy - h / 2, width: w, height: h, score, points });
    }
  });
  return faces;
}

/** Thresholds of yunetFaces. */
export interface YunetPostOptions {
  scoreThreshold: number;
  nmsThreshold: number;
  maxFaces: number;
  /** Input pixels -> image pixels (1 / the resize factor). Default 1. */
  scale?: number;
  /** The image's size, for clipping boxes; no clipping when absent. */
  imageWidth?: number;
  imageHeight?: number;
}

/**
 * Decoded, NMS-filtered faces, best first, mapped to image pixels (multiplied by `scale`) and the
 * boxes clipped to the image when its size is given (points are left unclipped).
 */
export function yunetFaces(outputs: readonly YunetStrideOutput[], inputWidth: number, inputHeight: number, opts: YunetPostOptions): YunetFace[] {
  const cands = decodeYunet(outputs, inputWidth, inputHeight, opts.scoreThreshold);
  const keep = nms(cands, opts.nmsThreshold, opts.maxFaces);
  const s = opts.scale ?? 1;
  return keep.map((i) => {
    const f = cands[i];
    let x0 = f.x * s, y0 = f.y * s, x1 = (f.x + f.width) * s, y1 = (f.y + f.height) * s;
    if (opts.imageWidth !== undefined && opts.imageHeight !== undefined) {
      x0 = Math.max(0, x0); y0 = Math.max(0, y0);
      x1 = Math.min(opts.imageWidth, x1); y1 = Math.min(opts.imageHeight, y1);
    }
    return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0), score: f.score, points: f.points.map((v) => v * s) };
  });
}
