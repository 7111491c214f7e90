/**
 * Head pose, perspective projection and the face-detector-like crop that maps the posed face into
 * the output image. Screen space: x right, y down, pixels; depth z grows toward the camera.
 */

/** Head pose in radians: yaw (+ = subject turns to their left), pitch (+ = looks up), roll. */
export interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Camera and crop settings of one frame. */
export interface View {
  pose: Pose;
  /** Camera distance from the head's pivot, cm (40..100 gives mild perspective). */
  distance: number;
  /** Crop side / landmark box size (about 1.25..1.6, like a detector box with margin). */
  cropScale: number;
  /** Crop centre offset in units of the landmark box size. */
  shiftX: number;
  shiftY: number;
  /** Output size, pixels (square). */
  size: number;
}

/** Pivot for head rotation: on the midline at about nose height, ~6.5 cm behind the nose tip. */
const PIVOT = [0, 0.4, 6.5] as const;

/** Row-major 3x3 rotation R = Rz(roll) · Ry(yaw) · Rx(pitch). */
export function rotationMatrix(p: Pose): Float64Array {
  const cx = Math.cos(p.pitch), sx = Math.sin(p.pitch);
  const cy = Math.cos(p.yaw), sy = Math.sin(p.yaw);
  const cz = Math.cos(p.roll), sz = Math.sin(p.roll);
  // Rx: pitch up (+) moves the nose (+z) toward +y.
  const Rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  // Ry: yaw (+) turns the nose (+z) toward +x, the subject's left.
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) => {
    const o = new Array<number>(9).fill(0);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
    return o;
  };
  return Float64Array.from(mul(Rz, mul(Ry, Rx)));
}

/** Result of projecting a mesh: screen positions and the rotation used (for normals). */
export interface Projection {
  /** [V*3] float32: x, y in pixels, z = depth toward the camera (cm). */
  screen: Float32Array;
  rotation: Float64Array;
}

/**
 * Poses and projects `pos` ([V*3] cm). The crop is fitted to the 2D box of the 68 landmarks
 * (`landmarkIdx`), scaled by `cropScale` and shifted, as a face detector's box would be.
 */
export function project(pos: Float32Array, landmarkIdx: ArrayLike<number>, view: View, out?: Float32Array): Projection {
  const R = rotationMatrix(view.pose);
  const n = pos.length / 3;
  const screen = out ?? new Float32Array(n * 3);
  const D = view.distance;
  for (let v = 0; v < n; v++) {
    const x = pos[v * 3] - PIVOT[0], y = pos[v * 3 + 1] - PIVOT[1], z = pos[v * 3 + 2] - PIVOT[2];
    const rx = R[0] * x + R[1] * y + R[2] * z;
    const ry = R[3] * x + R[4] * y + R[5] * z;
    const rz = R[6] * x + R[7] * y + R[8] * z;
    const f = D / (D - rz);
    screen[v * 3] = rx * f;
    screen[v * 3 + 1] = -ry * f;
    screen[v * 3 + 2] = rz;
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarkIdx.length; i++) {
    const v = landmarkIdx[i];
    x0 = Math.min(x0, screen[v * 3]); x1 = Math.max(x1, screen[v * 3]);
    y0 = Math.min(y0, screen[v * 3 + 1]); y1 = Math.max(y1, screen[v * 3 + 1]);
  }
  const box = Math.max(x1 - x0, y1 - y0);
  const side = box * view.cropScale;
  // Detector boxes sit a little above the landmark box centre (they include the forehead).
  const cx = (x0 + x1) / 2 + view.shiftX * box;
  const cy = (y0 + y1) / 2 - 0.12 * box + view.shiftY * box;
  const k = view.size / side;
  const ox = cx - side / 2, oy = cy - side / 2;
  for (let v = 0; v < n; v++) {
    screen[v * 3] = (screen[v * 3] - ox) * k;
    screen[v * 3 + 1] = (screen[v * 3 + 1] - oy) * k;
  }
  return { screen, rotation: R };
}
