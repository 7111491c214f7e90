/**
 * Faces through consecutive frames of one sequence (a video file, a webcam): the detector runs
 * every `detectEvery` frames (and whenever no face is followed); in between each face's box is
 * predicted from its landmarks on the previous frame (followBox). Ids come from an IoU tracker.
 *
 * Why: the detector was the most expensive stage (SSD at 512x512, ~3 GMAC; YuNet-n, the default,
 * costs far less, ~149 MFLOPs at 320x320); following is what keeps video at frame rate. The cost: new faces appear only at the next detection, and a face that
 * leaves is reported until then.
 */
import { FollowPlan } from "./geometry/follow.ts";
import type { FaceAnalysis, FacePipeline } from "./pipeline.ts";
import type { RgbImage } from "./image.ts";

/** Seconds of video between detections when the interval is "auto". */
export const AUTO_DETECT_SECONDS = 0.2;

/** The detector interval "auto" means for a stream at `fps` processed frames per second. */
export function autoDetectEvery(fps: number): number {
  return Number.isFinite(fps) && fps > 0 ? Math.max(1, Math.floor(AUTO_DETECT_SECONDS * fps + 1e-9)) : 1;
}

/** One frame's faces with their track ids (same order). */
export interface FollowedFrame {
  analyses: FaceAnalysis[];
  ids: number[];
  /** Whether the detector ran on this frame. */
  detected: boolean;
}

export class FaceFollower {
  private readonly plan: FollowPlan;

  constructor(readonly pipeline: FacePipeline, readonly detectEvery = 1) {
    this.plan = new FollowPlan(detectEvery);
  }

  /** Analyses the next frame of the sequence. */
  next(img: RgbImage): FollowedFrame {
    const predicted = this.plan.plan();
    const detected = predicted === null;
    const analyses = this.pipeline.analyze(img, predicted ?? undefined); // detects when no boxes are given
    const ids = this.plan.commit(detected, analyses);
    return { analyses, ids, detected };
  }

  /** Forgets every face (a new sequence starts); ids start again from 0. */
  reset(): void {
    this.plan.reset();
  }
}
