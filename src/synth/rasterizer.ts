/**
 * A z-buffered triangle rasteriser for one face: samples pixel centres, interpolates per-vertex
 * colours (Gouraud; the mesh is about one triangle per pixel at 256², so this is as good as
 * per-pixel shading), culls back faces. Pure TypeScript, one image at a time.
 */

/** A render target: RGB float colour [H*W*3] (0..1), depth [H*W] (toward camera), face mask [H*W]. */
export interface Frame {
  width: number;
  height: number;
  rgb: Float32Array;
  depth: Float32Array;
  /** 1 where a face triangle won the depth test. */
  mask: Uint8Array;
}

/** Allocates a frame; `rgb` is left black, depth at -Infinity. */
export function createFrame(width: number, height: number): Frame {
  const f = { width, height, rgb: new Float32Array(width * height * 3), depth: new Float32Array(width * height), mask: new Uint8Array(width * height) };
  f.depth.fill(-Infinity);
  return f;
}

/** Resets depth and mask of a frame for reuse (colour is overwritten by the caller). */
export function clearFrame(f: Frame): void {
  f.depth.fill(-Infinity);
  f.mask.fill(0);
}

/**
 * Draws triangles `tris` ([T*3] vertex indices) with vertex screen positions `screen` ([V*3]: x, y
 * pixels, z depth) and vertex colours `colour` ([V*3], 0..1). Triangles with `flat[t] = 1` use
 * `flatColour` instead (the pupil caps, whose vertices the iris ring shares). Front faces are
 * clockwise on screen (y down) because the model's winding is counter-clockwise with y up.
 */
export function rasterize(
  frame: Frame,
  screen: Float32Array,
  colour: Float32Array,
  tris: Uint16Array,
  flat?: Uint8Array,
  flatColour: readonly number[] = [0, 0, 0],
): void {
  const { width: W, height: H, rgb, depth, mask } = frame;
  const T = tris.length / 3;
  for (let t = 0; t < T; t++) {
    const ia = tris[t * 3], ib = tris[t * 3 + 1], ic = tris[t * 3 + 2];
    const ax = screen[ia * 3], ay = screen[ia * 3 + 1];
    let bx = screen[ib * 3], by = screen[ib * 3 + 1];
    let cx = screen[ic * 3], cy = screen[ic * 3 + 1];
    let area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (area >= 0) continue; // back face (or degenerate)
    // Swap b and c so the area is positive and edge functions are >= 0 inside.
    const i1 = ic, i2 = ib;
    let tmp = bx; bx = cx; cx = tmp;
    tmp = by; by = cy; cy = tmp;
    area = -area;
    const minX = Math.max(0, Math.ceil(Math.min(ax, bx, cx) - 0.5));
    const maxX = Math.min(W - 1, Math.floor(Math.max(ax, bx, cx) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(ay, by, cy) - 0.5));
    const maxY = Math.min(H - 1, Math.floor(Math.max(ay, by, cy) - 0.5));
    if (minX > maxX || minY > maxY) continue;
    const inv = 1 / area;
    const az = screen[ia * 3 + 2], bz = screen[i1 * 3 + 2], cz = screen[i2 * 3 + 2];
    const isFlat = flat !== undefined && flat[t] === 1;
    for (let y = minY; y <= maxY; y++) {
      const py = y + 0.5;
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5;
        // Barycentric weights of a (w0), b (w1), c (w2); top-left ties resolved by >= on all edges,
        // so a pixel on a shared edge may be drawn twice (harmless: same depth, later wins).
        const w0 = ((bx - px) * (cy - py) - (cx - px) * (by - py)) * inv;
        if (w0 < 0) continue;
        const w1 = ((cx - px) * (ay - py) - (ax - px) * (cy - py)) * inv;
        if (w1 < 0) continue;
        const w2 = 1 - w0 - w1;
        if (w2 < 0) continue;
        const z = w0 * az + w1 * bz + w2 * cz;
        const p = y * W + x;
        if (z <= depth[p]) continue;
        depth[p] = z;
        mask[p] = 1;
        const o = p * 3;
        if (isFlat) {
          rgb[o] = flatColour[0]; rgb[o + 1] = flatColour[1]; rgb[o + 2] = flatColour[2];
        } else {
          rgb[o] = w0 * colour[ia * 3] + w1 * colour[i1 * 3] + w2 * colour[i2 * 3];
          rgb[o + 1] = w0 * colour[ia * 3 + 1] + w1 * colour[i1 * 3 + 1] + w2 * colour[i2 * 3 + 1];
          rgb[o + 2] = w0 * colour[ia * 3 + 2] + w1 * colour[i1 * 3 + 2] + w2 * colour[i2 * 3 + 2];
        }
      }
    }
  }
}
