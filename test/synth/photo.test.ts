// The "photo" domain of SynthAU: deterministic, labels unchanged, pixels and scene changed, the
// lab domain untouched, occluders where they belong, grey frames grey.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";
import { generateSequenceLabels, resolveLabelOptions } from "../../src/synth/labels.ts";
import { applyPhoto, PHOTO_MAX_POSE, samplePhoto, type PhotoParams } from "../../src/synth/photo.ts";
import { Rng } from "../../src/synth/random.ts";
import { FaceRenderer } from "../../src/synth/render.ts";
import { buildSequenceFrames, MAX_POSE, sampleSubject } from "../../src/synth/sequences.ts";
import { generateSynthDataset } from "../../src/synth/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const lo = resolveLabelOptions({ style: "bp4d" });
const frames = (seq: number, domain?: "lab" | "photo") => {
  const labels = generateSequenceLabels(lo, 3, 1, seq, 4);
  return buildSequenceFrames(3, sampleSubject(3, 1), seq, labels, 128, domain);
};

test("photo domain keeps AUs, identity and per-frame keys, changes the scene, and the lab domain has no photo part", () => {
  for (let seq = 0; seq < 6; seq++) {
    const lab = frames(seq), photo = frames(seq, "photo");
    assert.deepEqual(frames(seq, "lab"), lab);
    assert.deepEqual(frames(seq, "photo"), photo, "deterministic");
    lab.forEach((l, t) => {
      const p = photo[t];
      assert.equal(l.photo, undefined);
      assert.ok(p.photo);
      assert.deepEqual(p.aus, l.aus);
      assert.deepEqual(p.identity, l.identity);
      assert.equal(p.noiseKey, l.noiseKey);
      assert.deepEqual(p.background, l.background);
      assert.notDeepEqual(p.light, l.light);
      assert.notDeepEqual(p.degrade, l.degrade);
      for (const a of ["yaw", "pitch", "roll"] as const) {
        assert.ok(Math.abs(l.view.pose[a]) <= MAX_POSE + 1e-12);
        assert.ok(Math.abs(p.view.pose[a]) <= PHOTO_MAX_POSE + 1e-12);
      }
    });
  }
});

test("photo options are drawn at their rates over many sequences (occluders, shadows, grey)", () => {
  const n = 400;
  const count = { glasses: 0, beard: 0, hair: 0, shadow: 0, grey: 0 };
  for (let i = 0; i < n; i++) {
    const p = samplePhoto(Rng.of(11, 20, i));
    for (const k of Object.keys(count) as (keyof typeof count)[]) if (p[k]) count[k]++;
  }
  const near = (k: keyof typeof count, rate: number) => assert.ok(Math.abs(count[k] / n - rate) < 0.07, `${k}: ${count[k]}/${n}, expected about ${rate}`);
  near("glasses", 0.25); near("beard", 0.2); near("hair", 0.3); near("shadow", 0.45); near("grey", 0.12);
});

test("glasses darken the eye rims, a beard the lower face, grey frames are grey; the render is deterministic", () => {
  const r = new FaceRenderer();
  const [base] = frames(0, "photo");
  const plain: PhotoParams = { tint: [1, 1, 1], shadow: null, texture: 0, textureKey: 1, glasses: null, beard: null, hair: null, grey: false };
  const spec = { ...base, view: { ...base.view, pose: { yaw: 0, pitch: 0, roll: 0 } }, degrade: { blur: 0, noise: 0, jpegQuality: 95, gain: 1, contrast: 1 } };
  const render = (photo: PhotoParams) => r.render({ ...spec, photo });
  const ref = render(plain);
  assert.deepEqual(render(plain).rgb, ref.rgb);
  const lm = ref.landmarks;
  const lum = (rgb: Uint8Array, x: number, y: number) => { const o = (Math.round(y) * 128 + Math.round(x)) * 3; return rgb[o] + rgb[o + 1] + rgb[o + 2]; };
  // Glasses: the rim passes below each eye (0.2 eye distances under its centre).
  const g = render({ ...plain, glasses: { colour: [0, 0, 0], thickness: 0.05, lens: 0, scale: 1 } });
  const eye = Math.hypot(lm[90] - lm[72], lm[91] - lm[73]);
  for (const a of [36, 42]) {
    let cx = 0, cy = 0;
    for (let i = a; i < a + 6; i++) { cx += lm[2 * i] / 6; cy += lm[2 * i + 1] / 6; }
    assert.ok(lum(g.rgb, cx, cy + 0.2 * eye) < 0.3 * lum(ref.rgb, cx, cy + 0.2 * eye), `rim below eye ${a}`);
  }
  // Beard: the chin-side half between the mouth and the chin gets darker on average.
  const b = render({ ...plain, beard: { colour: [0, 0, 0], density: 0.9, full: true } });
  const x = lm[2 * 8], y0 = lm[2 * 57 + 1], y1 = lm[2 * 8 + 1];
  let before = 0, after = 0;
  for (let y = y0 + 2; y < y1 - 1; y++) for (let dx = -4; dx <= 4; dx++) { before += lum(ref.rgb, x + dx, y); after += lum(b.rgb, x + dx, y); }
  assert.ok(after < 0.6 * before, `chin ${after} vs ${before}`);
  const grey = render({ ...plain, grey: true }).rgb;
  for (let o = 0; o < grey.length; o += 3) assert.ok(grey[o] === grey[o + 1] && grey[o + 1] === grey[o + 2]);
  // applyPhoto with nothing on and a unit tint leaves the pixels alone.
  const rgb = Float32Array.from({ length: 12 }, (_, i) => i / 12);
  applyPhoto(rgb, new Uint8Array(4), lm, 2, plain);
  assert.deepEqual(rgb, Float32Array.from({ length: 12 }, (_, i) => i / 12));
});

test("generateSynthDataset: domain photo changes the images, not the labels; bad domain refused", async () => {
  const dir = makeTempDir("aunce-photo-");
  const opts = { style: "bp4d" as const, subjects: 1, sequences: 1, frames: 2, seed: 4, size: 64, workers: 0 };
  await generateSynthDataset({ ...opts, out: join(dir, "lab") });
  await generateSynthDataset({ ...opts, out: join(dir, "photo"), domain: "photo" });
  const csv = (d: string) => readFileSync(join(dir, d, "AUCoding/AU_OCC", readdirSync(join(dir, d, "AUCoding/AU_OCC"))[0]), "utf8");
  assert.equal(csv("photo"), csv("lab"));
  const img = (d: string) => { const sub = join(dir, d, "img/F001/T1"); return readFileSync(join(sub, readdirSync(sub)[0])); };
  assert.notDeepEqual(img("photo"), img("lab"));
  assert.equal(JSON.parse(readFileSync(join(dir, "photo", "synth.json"), "utf8")).domain, "photo");
  await assert.rejects(generateSynthDataset({ ...opts, out: join(dir, "bad"), domain: "studio" as "lab" }), /domain: expected "lab" or "photo", got "studio"/);
});
