/**
 * Axis-aligned boxes: IoU and greedy non-maximum suppression on plain numbers (no engine), shared
 * by the Node and browser pipelines.
 */

/** An axis-aligned box in pixels (x, y = top-left corner). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A scored box. */
export interface ScoredRect extends Rect {
  score: number;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Rect, b: Rect): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return inter > 0 && union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS: boxes scoring at least `minScore`, best first (ties keep input order), each dropped
 * when its IoU with an already kept box exceeds `iouThreshold`; at most `maxResults` kept.
 * Returns the kept indices into `boxes`, best first.
 */
export function nms(boxes: readonly ScoredRect[], iouThreshold: number, maxResults = Infinity, minScore = -Infinity): number[] {
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new RangeError(`nms: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const order: number[] = [];
  for (let i = 0; i < boxes.length; i++) if (boxes[i].score >= minScore) order.push(i);
  order.sort((a, b) => boxes[b].score - boxes[a].score || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxResults) break;
    if (kept.every((k) => iou(boxes[i], boxes[k]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/** The box scaled by `s` about the origin (image rescaling). */
export function scaleRect<T extends Rect>(r: T, s: number): T {
  return { ...r, x: r.x * s, y: r.y * s, width: r.width * s, height: r.height * s };
}
