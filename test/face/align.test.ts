import { test } from "node:test";
import assert from "node:assert/strict";
import { ALIGN_TEMPLATE_V1, AU_INPUT, alignmentFor, applyAffine, auInputs, invertAffine, similarityTransform, warpFaces, type Affine } from "../../src/face/align.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import type { RgbImage } from "../../src/face/image.ts";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) < tol, `${what}: ${a} vs ${b}`);

test("similarityTransform recovers a known rotation + scale + shift exactly, and fits noisy points in least squares", () => {
  const th = 0.3, s = 1.7;
  const m: Affine = [s * Math.cos(th), -s * Math.sin(th), 12, s * Math.sin(th), s * Math.cos(th), -4];
  const src = Array.from({ length: 136 }, (_, i) => ((i * 53) % 97) + (i % 2) * 3);
  const dst = applyAffine(m, src);
  const all = Array.from({ length: 68 }, (_, i) => i);
  similarityTransform(src, dst, all).forEach((v, i) => close(v, m[i], 1e-4, `m[${i}]`));
  // Two points determine it; a reflection is never returned.
  const two = similarityTransform(src, dst, [3, 40]);
  two.forEach((v, i) => close(v, m[i], 1e-3, `two-point m[${i}]`));
  const mirrored = src.map((v, i) => (i % 2 ? v : -v));
  const r = similarityTransform(src, mirrored, all);
  assert.ok(r[0] * r[4] - r[1] * r[3] >= 0, "no reflection");
  assert.throws(() => similarityTransform(src, dst, [5]), /at least 2 point pairs/);
  // With noise the fit is the least-squares optimum: nudging any of its 4 parameters costs.
  const noisy = Array.from(dst, (v, i) => v + (((i * 7919) % 13) - 6) * 0.3);
  const f = similarityTransform(src, noisy, all);
  const cost = (q: Affine) => applyAffine(q, src).reduce((acc, v, i) => acc + (v - noisy[i]) ** 2, 0);
  const base = cost(f);
  for (const [da, db, dx, dy] of [[1e-3, 0, 0, 0], [-1e-3, 0, 0, 0], [0, 1e-3, 0, 0], [0, -1e-3, 0, 0], [0, 0, 0.05, 0], [0, 0, 0, -0.05]]) {
    const q: Affine = [f[0] + da, f[1] - db, f[2] + dx, f[3] + db, f[4] + da, f[5] + dy];
    assert.ok(cost(q) > base, "perturbed fit is worse");
  }
});

test("invertAffine inverts", () => {
  const m: Affine = [1.2, -0.4, 5, 0.4, 1.2, -3];
  const p = [10, 20, -7, 3];
  applyAffine(invertAffine(m), applyAffine(m, p)).forEach((v, i) => close(v, p[i], 1e-4, `p[${i}]`));
});

/** A test pattern whose value encodes the position: R = x, G = y, B = 100. */
function pattern(w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 100], (y * w + x) * 3);
  return { width: w, height: h, data };
}

test("warpFaces samples the image where the inverse transform says (pixel centres), black outside", () => {
  const img = pattern(200, 150);
  const before = liveTensors();
  // Crop pixel u = 0.5 * image x - 10  =>  image x = 2 (u + 10).
  const m: Affine = [0.5, 0, -10, 0, 0.5, -5];
  const t = warpFaces(img, [m], 64, 0);
  assert.deepEqual(t.shape, [1, 3, 64, 64]);
  const d = t.data<"float32">();
  t.dispose();
  const at = (c: number, v: number, u: number) => d[c * 64 * 64 + v * 64 + u] * 255;
  for (const [u, v] of [[0, 0], [20, 30], [63, 40]] as const) {
    const x = 2 * (u + 10), y = 2 * (v + 5);
    if (x < 200 && y < 150) {
      close(at(0, v, u), x, 0.6, `R at (${u},${v})`);
      close(at(1, v, u), y, 0.6, `G at (${u},${v})`);
      close(at(2, v, u), 100, 0.6, `B at (${u},${v})`);
    }
  }
  // Image x = 2 (u + 10) >= 200 for u >= 90: outside the frame -> black; with offset 40 the window
  // starts at u = 40, so column 63 maps to u = 103.
  const t2 = warpFaces(img, [m], 64, 40);
  const d2 = t2.data<"float32">();
  t2.dispose();
  assert.equal(d2[2 * 64 * 64 + 10 * 64 + 63], 0);
  close(d2[0 * 64 * 64 + 10 * 64 + 0] * 255, 2 * (40 + 10), 0.6, "offset window R");
  assert.equal(liveTensors(), before);
});

test("aligning a face's own template-position landmarks is the identity; AU inputs are the normalised centre 224", () => {
  const tpl = ALIGN_TEMPLATE_V1;
  // Landmarks of a face that sits exactly where the template says, scaled 2x and shifted (image = 2 * crop + 30).
  const lms = Float32Array.from(tpl.points, (v) => 2 * v + 30);
  const m = alignmentFor(lms, tpl);
  [0.5, 0, -15, 0, 0.5, -15].forEach((v, i) => close(m[i], v, 1e-4, `m[${i}]`));
  const img = pattern(256, 256);
  const x = auInputs(img, [m]);
  assert.deepEqual(x.shape, [1, 3, AU_INPUT.size, AU_INPUT.size]);
  const d = x.data<"float32">();
  x.dispose();
  // Output pixel (i, j) of the 224 view is template pixel (j + 16, i + 16) -> image x = 2 (j + 16) + 30.
  const j = 10, i = 20;
  const r = d[i * 224 + j] * AU_INPUT.std[0] + AU_INPUT.mean[0];
  const b = d[2 * 224 * 224 + i * 224 + j] * AU_INPUT.std[2] + AU_INPUT.mean[2];
  close(r * 255, 2 * (j + 16) + 30, 0.6, "denormalised R");
  close(b * 255, 100, 0.6, "denormalised B");
  assert.equal(tpl.indices.every((k) => k >= 27 && k <= 47), true, "v1 aligns on nose and eyes only");
});
