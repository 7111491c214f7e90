/**
 * Faces through consecutive frames of one sequence (a video file, a webcam): the detector runs
 * every `detectEvery` frames (and whenever no face is followed); in between each face's box is
 * predicted from its landmarks on the previous frame (followBox). Ids come from an IoU tracker.
 *
 * Why: the detector was the most expensive stage (SSD at 512x512, ~3 GMAC; YuNet-n, the default,
 * costs far less, ~149 MFLOPs at 320x320); following is what keeps video at frame rate. The cost: new faces appear only at the next detection, and a face that
 * leaves is reported until then.
 */
import { followBox, type FaceAnalysis, type FacePipeline } from "./pipeline.ts";
import type { FaceBox } from "./detect.ts";
import type { RgbImage } from "./image.ts";
import type { Landmarks68 } from "./landmarks.ts";
import { IouTracker } from "./tracker.ts";

/** Seconds of video between detections when the interval is "auto". */
export const AUTO_DETECT_SECONDS = 0.2;

/** The detector interval "auto" means for a stream at `fps` processed frames per second. */
export function autoDetectEvery(fps: number): number {
  return Number.isFinite(fps) && fps > 0 ? Math.max(1, Math.floor(AUTO_DETECT_SECONDS * fps + 1e-9)) : 1;
}

interface Followed {
  detBox: FaceBox;
  detLm: Landmarks68;
  lastLm: Landmarks68;
}

/** One frame's faces with their track ids (same order). */
export interface FollowedFrame {
  analyses: FaceAnalysis[];
  ids: number[];
  /** Whether the detector ran on this frame. */
  detected: boolean;
}

export class FaceFollower {
  private follow: Followed[] = [];
  private tracker = new IouTracker();
  private frame = 0;

  constructor(readonly pipeline: FacePipeline, readonly detectEvery = 1) {
    if (!Number.isInteger(detectEvery) || detectEvery < 1) throw new RangeError(`FaceFollower: detectEvery must be a whole number >= 1, got ${detectEvery}`);
  }

  /** Analyses the next frame of the sequence. */
  next(img: RgbImage): FollowedFrame {
    const detected = this.frame % this.detectEvery === 0 || this.follow.length === 0;
    const predicted = detected ? undefined : this.follow.map((f) => followBox(f.detBox, f.detLm, f.lastLm));
    const analyses = this.pipeline.analyze(img, predicted); // detects when no boxes are given
    // Between detections the box used was predicted from the previous frame; report (and track)
    // the box re-derived from this frame's landmarks instead.
    if (!detected) analyses.forEach((a, i) => { a.box = followBox(this.follow[i].detBox, this.follow[i].detLm, a.landmarks); });
    const ids = this.tracker.update(this.frame, analyses.map((a) => a.box));
    this.follow = analyses.map((a, i) => (detected ? { detBox: a.box, detLm: a.landmarks, lastLm: a.landmarks } : { ...this.follow[i], lastLm: a.landmarks }));
    this.frame++;
    return { analyses, ids, detected };
  }

  /** Forgets every face (a new sequence starts); ids start again from 0. */
  reset(): void {
    this.follow = [];
    this.tracker = new IouTracker();
    this.frame = 0;
  }
}
