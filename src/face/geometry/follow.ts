/**
 * Following faces through consecutive frames between detections, without an engine: the detector
 * runs every `detectEvery` frames (and whenever no face is followed); in between each face's box is
 * predicted from its landmarks (followBox). The Node follower (../follow.ts, synchronous) and the
 * browser's (src/web, asynchronous) both drive a FollowPlan: plan() says whether to detect or
 * which boxes to use, commit() takes the frame's analyses and returns the faces' ids.
 */
import type { ScoredRect } from "./box.ts";
import { IouTracker } from "./tracker.ts";

/**
 * A detector-like box for the next frame from a face's previous box and landmarks: the box moves
 * with the landmarks' centroid and scales with their spread (used between detections in video).
 */
export function followBox(prevBox: ScoredRect, prevLandmarks: ArrayLike<number>, landmarks: ArrayLike<number>): ScoredRect {
  const stats = (p: ArrayLike<number>) => {
    let cx = 0, cy = 0;
    for (let i = 0; i < 68; i++) { cx += p[2 * i]; cy += p[2 * i + 1]; }
    cx /= 68; cy /= 68;
    let s = 0;
    for (let i = 0; i < 68; i++) s += Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy);
    return { cx, cy, s: s / 68 };
  };
  const a = stats(prevLandmarks), b = stats(landmarks);
  const k = a.s > 0 ? b.s / a.s : 1;
  const bx = prevBox.x + prevBox.width / 2 + (b.cx - a.cx), by = prevBox.y + prevBox.height / 2 + (b.cy - a.cy);
  const w = prevBox.width * k, h = prevBox.height * k;
  return { x: bx - w / 2, y: by - h / 2, width: w, height: h, score: prevBox.score };
}

/** One analysed face as the plan needs it: its box and 68 landmarks [x0, y0, ...]. */
export interface FollowedFace {
  box: ScoredRect;
  landmarks: ArrayLike<number>;
}

interface Followed {
  detBox: ScoredRect;
  detLm: ArrayLike<number>;
  lastLm: ArrayLike<number>;
}

/** The follow schedule and state of one frame sequence. */
export class FollowPlan {
  private follow: Followed[] = [];
  private tracker = new IouTracker();
  private frame = 0;

  constructor(readonly detectEvery = 1) {
    if (!Number.isInteger(detectEvery) || detectEvery < 1) throw new RangeError(`FaceFollower: detectEvery must be a whole number >= 1, got ${detectEvery}`);
  }

  /** For the next frame: detect (null), or analyse these predicted boxes (one per followed face). */
  plan(): ScoredRect[] | null {
    const detected = this.frame % this.detectEvery === 0 || this.follow.length === 0;
    return detected ? null : this.follow.map((f) => followBox(f.detBox, f.detLm, f.lastLm));
  }

  /**
   * Records the frame's analyses (detected when plan() gave null, else one per predicted box, same
   * order). Between detections each face's box is re-derived from this frame's landmarks (set on
   * the given objects). Returns the faces' track ids.
   */
  commit<F extends FollowedFace>(detected: boolean, analyses: F[]): number[] {
    if (!detected) analyses.forEach((a, i) => { (a as FollowedFace).box = followBox(this.follow[i].detBox, this.follow[i].detLm, a.landmarks); });
    const ids = this.tracker.update(this.frame, analyses.map((a) => a.box));
    this.follow = analyses.map((a, i) => (detected ? { detBox: a.box, detLm: a.landmarks, lastLm: a.landmarks } : { ...this.follow[i], lastLm: a.landmarks }));
    this.frame++;
    return ids;
  }

  /** Forgets every face (a new sequence starts); ids start again from 0. */
  reset(): void {
    this.follow = [];
    this.tracker = new IouTracker();
    this.frame = 0;
  }
}
