/**
 * Scoring a face detector against true boxes: greedy one-to-one matching at an IoU threshold
 * (detections best first, each taking the unmatched true box it overlaps most, as in the PASCAL /
 * WIDER FACE protocol), and recall / false-positive tallies over a set of images.
 */
import { iou, type Rect, type ScoredRect } from "./geometry/box.ts";

/** The outcome of one image: true boxes found, true boxes missed, detections matching no true box. */
export interface MatchResult {
  found: number;
  missed: number;
  falsePositives: number;
  /** IoU of each found true box with its detection. */
  ious: number[];
}

/** Matches `detections` to `truth` one-to-one at IoU >= `minIou` (default 0.5). */
export function matchDetections(truth: readonly Rect[], detections: readonly ScoredRect[], minIou = 0.5): MatchResult {
  if (!(minIou > 0 && minIou <= 1)) throw new RangeError(`matchDetections: minIou must be in (0, 1], got ${minIou}`);
  const taken = new Array<boolean>(truth.length).fill(false);
  const order = detections.map((_, i) => i).sort((a, b) => detections[b].score - detections[a].score || a - b);
  const ious: number[] = [];
  let falsePositives = 0;
  for (const d of order) {
    let best = -1, bestIou = minIou;
    truth.forEach((t, k) => {
      const v = iou(t, detections[d]);
      if (!taken[k] && v >= bestIou) { best = k; bestIou = v; }
    });
    if (best < 0) falsePositives++;
    else { taken[best] = true; ious.push(bestIou); }
  }
  return { found: ious.length, missed: truth.length - ious.length, falsePositives, ious };
}

/** Running totals over images of one condition. */
export class DetectionTally {
  images = 0;
  faces = 0;
  found = 0;
  falsePositives = 0;
  private iouSum = 0;

  add(m: MatchResult): void {
    this.images++;
    this.faces += m.found + m.missed;
    this.found += m.found;
    this.falsePositives += m.falsePositives;
    for (const v of m.ious) this.iouSum += v;
  }

  /** Found / true faces (NaN with no faces). */
  get recall(): number {
    return this.faces ? this.found / this.faces : NaN;
  }

  /** False faces per 100 images. */
  get falsePer100(): number {
    return this.images ? (100 * this.falsePositives) / this.images : NaN;
  }

  /** Mean IoU of the matches (NaN with none). */
  get meanIou(): number {
    return this.found ? this.iouSum / this.found : NaN;
  }
}
