/**
 * The box the 68-point landmark net crops for a YuNet face. The landmark net (face-api's) was
 * trained on its SSD's boxes, which frame a face differently from YuNet's (YuNet's are tighter at
 * the sides and sit higher): the YuNet box is rescaled and shifted to frame the face as the SSD
 * would. The constants were fitted on SynthAU renders with known landmarks
 * (scripts/tune-yunet-crop.ts; the result is checked in test/face/landmark-crop.test.ts).
 */
import type { Rect } from "./box.ts";

/** How a YuNet box becomes the landmark crop: centre shifted by (dx, dy) box sizes, sides scaled. */
export interface LandmarkCropParams {
  /** Width scale. */
  sx: number;
  /** Height scale. */
  sy: number;
  /** Centre shift, in box widths (+ = right). */
  dx: number;
  /** Centre shift, in box heights (+ = down). */
  dy: number;
}

/**
 * The fitted framing (scripts/tune-yunet-crop.ts, grid search; 2-core machine): the box 10% taller
 * and moved down by a fifth of its height. Mean 68-point error over the inter-ocular distance on
 * SynthAU renders (seed 11, 40 faces both detectors found): SSD box 0.0612, YuNet box as is 0.0575,
 * this framing 0.0473; held out (seed 23, 57 faces): SSD 0.0550, YuNet as is 0.0541, this
 * framing 0.0458. Mapping YuNet's box onto the SSD's mean framing instead gave no gain (0.0613 / 0.0547).
 */
export const YUNET_LANDMARK_CROP: Readonly<LandmarkCropParams> = { sx: 1, sy: 1.1, dx: 0, dy: 0.2 };

/** The landmark crop for a YuNet box (other fields of `box`, e.g. score and points, are kept). */
export function landmarkBoxForYunet<T extends Rect>(box: T, p: LandmarkCropParams = YUNET_LANDMARK_CROP): T {
  const cx = box.x + box.width * (0.5 + p.dx), cy = box.y + box.height * (0.5 + p.dy);
  const w = box.width * p.sx, h = box.height * p.sy;
  return { ...box, x: cx - w / 2, y: cy - h / 2, width: w, height: h };
}
