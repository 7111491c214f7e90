/**
 * Left-right mirror geometry of detected faces, without an engine: a face box (and YuNet's 5 points)
 * as it appears in the mirrored image, and the box set that is the same for an image and its
 * mirror (each face's box averaged with the mirror of its box in the mirrored image). With these,
 * the pipeline's `mirrorAverage` mode gives a photo and its mirror the same AU probabilities.
 */
import { iou, type ScoredRect } from "./box.ts";

/** A face box with YuNet's optional 5 points (subject's right eye, left eye, nose, right and left mouth corner). */
export interface MirrorableBox extends ScoredRect {
  points?: Float32Array;
}

/** Index of each YuNet point in the mirror image: the eyes and mouth corners swap sides. */
const POINTS5_MIRROR = [1, 0, 2, 4, 3] as const;

/** `box` as it appears in the image mirrored left-right (`width` pixels wide; pixel x -> width - 1 - x). */
export function mirrorFaceBox<B extends MirrorableBox>(box: B, width: number): B {
  const out: B = { ...box, x: width - box.x - box.width };
  if (box.points) {
    const p = new Float32Array(10);
    for (let i = 0; i < 5; i++) {
      p[2 * POINTS5_MIRROR[i]] = width - 1 - box.points[2 * i];
      p[2 * POINTS5_MIRROR[i] + 1] = box.points[2 * i + 1];
    }
    out.points = p;
  }
  return out;
}

const mean = (a: number, b: number) => (a + b) / 2;

/**
 * The faces of an image from its own detections (`boxes`) and those of its mirror image
 * (`mirrored`, in the mirror's coordinates): pairs that overlap (IoU >= `minIou`, mutual best match)
 * are averaged, the others kept, best score first. The mirror image, given the same two lists the
 * other way round, gets the mirror of this set.
 */
export function symmetricFaceBoxes<B extends MirrorableBox>(boxes: readonly B[], mirrored: readonly B[], width: number, minIou = 0.5): B[] {
  const back = mirrored.map((b) => mirrorFaceBox(b, width));
  const bestOf = (a: MirrorableBox, list: readonly MirrorableBox[]) => {
    let k = -1, v = minIou;
    list.forEach((c, j) => {
      const o = iou(a, c);
      if (o >= v && (k < 0 || o > v)) { k = j; v = o; }
    });
    return k;
  };
  const out: B[] = [];
  const used = new Set<number>();
  boxes.forEach((b) => {
    const j = bestOf(b, back);
    if (j < 0 || used.has(j) || bestOf(back[j], boxes) !== boxes.indexOf(b)) {
      out.push(b);
      return;
    }
    used.add(j);
    const q = back[j];
    const avg: B = { ...b, x: mean(b.x, q.x), y: mean(b.y, q.y), width: mean(b.width, q.width), height: mean(b.height, q.height), score: mean(b.score, q.score) };
    if (b.points && q.points) avg.points = b.points.map((v, i) => mean(v, q.points![i]));
    out.push(avg);
  });
  back.forEach((q, j) => { if (!used.has(j)) out.push(q); });
  return out.sort((a, b) => b.score - a.score || a.x - b.x);
}
