/**
 * Stable face ids across video frames: each frame's boxes are matched greedily (highest IoU first)
 * to the tracks seen in the last `maxAge` frames; a match needs IoU >= `minIou`, unmatched boxes
 * start new tracks. Ids count up from 0 and are never reused. Pure (no engine): shared with the web.
 */

import { iou, type Rect } from "./box.ts";

interface Track {
  id: number;
  box: Rect;
  lastFrame: number;
}

/** Greedy IoU tracker; feed it every processed frame in order. */
export class IouTracker {
  private tracks: Track[] = [];
  private nextId = 0;

  /** minIou: least overlap to continue a track; maxAge: frames a lost track is remembered. */
  constructor(readonly minIou = 0.3, readonly maxAge = 10) {}

  /** Assigns an id to each box of frame `frame` (same order as `boxes`). */
  update(frame: number, boxes: readonly Rect[]): number[] {
    this.tracks = this.tracks.filter((t) => frame - t.lastFrame <= this.maxAge);
    const pairs: [number, number, number][] = [];
    boxes.forEach((b, i) => this.tracks.forEach((t, j) => {
      const v = iou(b, t.box);
      if (v >= this.minIou) pairs.push([v, i, j]);
    }));
    pairs.sort((p, q) => q[0] - p[0]);
    const ids = new Array<number>(boxes.length).fill(-1);
    const used = new Set<number>();
    for (const [, i, j] of pairs) {
      if (ids[i] !== -1 || used.has(j)) continue;
      ids[i] = this.tracks[j].id;
      used.add(j);
      this.tracks[j].box = boxes[i];
      this.tracks[j].lastFrame = frame;
    }
    ids.forEach((id, i) => {
      if (id !== -1) return;
      ids[i] = this.nextId++;
      this.tracks.push({ id: ids[i], box: boxes[i], lastFrame: frame });
    });
    return ids;
  }
}
