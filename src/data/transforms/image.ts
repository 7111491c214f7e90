/** Image containers shared by the transforms. */

/** A decoded 8-bit RGB image, HWC interleaved (as sharp's raw output). */
export interface RgbImage {
  /** [height, width, 3] uint8. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A float image, CHW planar with 3 channels, values in [0, 1] until normalised (torchvision's tensor layout). */
export interface FloatImage {
  /** [3, height, width] float32. */
  data: Float32Array;
  width: number;
  height: number;
}
