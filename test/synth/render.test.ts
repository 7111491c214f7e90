// Rasteriser and full-frame sanity: coverage, culling, depth, face region, landmarks on the face.
import assert from "node:assert/strict";
import test from "node:test";
import { sampleAppearance, sampleLighting } from "../../src/synth/appearance.ts";
import { sampleBackground } from "../../src/synth/background.ts";
import { createFrame, rasterize } from "../../src/synth/rasterizer.ts";
import { FaceRenderer, type FrameSpec } from "../../src/synth/render.ts";
import { Rng } from "../../src/synth/random.ts";

test("a triangle covers about its area; back faces are culled; nearer wins", () => {
  const f = createFrame(32, 32);
  // Clockwise on screen (y down) = front-facing.
  const screen = new Float32Array([2, 2, 1, 2, 30, 1, 30, 2, 1]);
  const colour = new Float32Array([1, 0, 0, 1, 0, 0, 1, 0, 0]);
  rasterize(f, screen, colour, new Uint16Array([0, 1, 2]));
  const covered = f.mask.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(covered - (28 * 28) / 2) < 30, `covered ${covered} px of area 392`);
  assert.equal(f.rgb[(10 * 32 + 5) * 3], 1, "inside pixel has the vertex colour");
  const back = createFrame(32, 32);
  rasterize(back, screen, colour, new Uint16Array([0, 2, 1]));
  assert.equal(back.mask.reduce((s, v) => s + v, 0), 0, "reversed winding is culled");
  // A second, nearer green triangle over the same place replaces the red one; a farther blue one does not.
  const near = new Float32Array([2, 2, 2, 2, 30, 2, 30, 2, 2]);
  rasterize(f, near, new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0]), new Uint16Array([0, 1, 2]));
  const far = new Float32Array([2, 2, 0, 2, 30, 0, 30, 2, 0]);
  rasterize(f, far, new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1]), new Uint16Array([0, 1, 2]));
  assert.deepEqual(Array.from(f.rgb.subarray((10 * 32 + 5) * 3, (10 * 32 + 5) * 3 + 3)), [0, 1, 0]);
});

function spec(yaw: number, size = 128): FrameSpec {
  const rng = Rng.of(9, 1);
  return {
    subjectId: 1, backgroundId: 1, identity: new Array(30).fill(0), appearance: sampleAppearance(rng),
    aus: [], extra: [], gaze: [0, 0],
    view: { pose: { yaw, pitch: 0, roll: 0 }, distance: 60, cropScale: 1.4, shiftX: 0, shiftY: 0, size },
    light: sampleLighting(rng), background: sampleBackground(rng),
    degrade: { blur: 0, noise: 0, jpegQuality: 90, gain: 1, contrast: 1 }, noiseKey: 1,
  };
}

const renderer = new FaceRenderer();

test("a frontal face fills the centre of the crop and the landmarks lie on it", () => {
  const f = renderer.render(spec(0));
  const n = f.size;
  const coverage = f.mask.reduce((s, v) => s + v, 0) / (n * n);
  assert.ok(coverage > 0.35 && coverage < 0.9, `face covers ${coverage} of the crop`);
  assert.equal(f.mask[(n / 2) * n + n / 2], 1, "image centre is face");
  let on = 0;
  for (let i = 17; i < 68; i++) {
    const x = f.landmarks[i * 2], y = f.landmarks[i * 2 + 1];
    assert.ok(x > 0 && x < n && y > 0 && y < n, `landmark ${i} inside the image`);
    on += f.mask[Math.floor(y) * n + Math.floor(x)];
  }
  assert.ok(on >= 49, `${on}/51 inner landmarks on face pixels`);
  // Left-right: iBUG point 36 (right eye outer corner) appears on the image's left.
  assert.ok(f.landmarks[36 * 2] < f.landmarks[45 * 2], "subject's right eye on the image left");
  assert.ok(f.landmarks[19 * 2 + 1] < f.landmarks[30 * 2 + 1] && f.landmarks[30 * 2 + 1] < f.landmarks[57 * 2 + 1], "brows above nose above mouth");
});

test("yaw turns the nose toward the subject's left (image right)", () => {
  const offset = (yaw: number) => {
    const lm = renderer.render(spec(yaw)).landmarks;
    return lm[30 * 2] - (lm[39 * 2] + lm[42 * 2]) / 2;
  };
  assert.ok(offset(0.3) > offset(0) + 2, "positive yaw moves the nose tip right of the eyes' midpoint");
  assert.ok(offset(-0.3) < offset(0) - 2, "negative yaw moves it left");
});

test("a face's pixels differ from the background and eyes show dark iris/pupil", () => {
  const f = renderer.render(spec(0, 256));
  const lum = (x: number, y: number) => {
    const o = (Math.round(y) * 256 + Math.round(x)) * 3;
    return f.rgb[o] + f.rgb[o + 1] + f.rgb[o + 2];
  };
  // Centre of the right eye (mean of 36..41) is darker than the cheek below it.
  let ex = 0, ey = 0;
  for (let i = 36; i < 42; i++) { ex += f.landmarks[i * 2] / 6; ey += f.landmarks[i * 2 + 1] / 6; }
  assert.ok(lum(ex, ey) < lum(ex, ey + 25), `iris ${lum(ex, ey)} darker than cheek ${lum(ex, ey + 25)}`);
});
