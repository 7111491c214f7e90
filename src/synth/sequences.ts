/**
 * Subjects and sequences: identity and look per subject, a scene (camera, light, background,
 * degradation) per sequence, and per-frame FrameSpecs that combine the AU label tracks with
 * nuisance motion (blinks, gaze, small unlabelled shapes, head motion, detector-crop jitter).
 */
import { sampleAppearance, sampleLighting, type AppearanceParams, type Lighting } from "./appearance.ts";
import { sampleBackground } from "./background.ts";
import { sampleDegrade } from "./degrade.ts";
import { smoothNoise, type SequenceLabels } from "./labels.ts";
import { PHOTO_MAX_POSE, samplePhoto, samplePhotoDegrade, samplePhotoLighting, type SynthDomain } from "./photo.ts";
import { hashKey, Rng } from "./random.ts";
import type { FrameSpec } from "./render.ts";

/** A subject's fixed traits. */
export interface SubjectTraits {
  index: number;
  identity: number[];
  appearance: AppearanceParams;
}

const DEG = Math.PI / 180;
/** Pose limit, radians (about ±20°). */
export const MAX_POSE = 20 * DEG;

/** Random-stream purposes for scene sampling (disjoint from labels.ts STREAM ids). */
const S = { identity: 11, scene: 12, pose: 13, gaze: 14, blink: 15, extra: 16, crop: 17, noise: 18, light: 19, photo: 20 } as const;

/** Draws subject traits: 30 identity weights ~ N(0, 0.9²) clipped to ±2.5, and a look. */
export function sampleSubject(seed: number, index: number): SubjectTraits {
  const rng = Rng.of(seed, S.identity, index);
  const identity = Array.from({ length: 30 }, () => Math.max(-2.5, Math.min(2.5, 0.9 * rng.normal())));
  return { index, identity, appearance: sampleAppearance(rng) };
}

/** Shapes moved a little without any label: they make the task harder, not different. */
const EXTRA_SHAPES = ["mouthLeft", "mouthRight", "jawForward", "cheekPuff_L", "cheekPuff_R", "PupilDilate_L", "PupilDilate_R", "eyeWide_L", "eyeWide_R"];


/**
 * FrameSpecs of one sequence. `labels` gives the AU tracks; frames share the subject and scene and
 * move smoothly, like video. Deterministic in (seed, subject, sequence). The "photo" domain draws
 * its scene (light, degradation, occluders, wider pose) from its own streams, so the "lab" domain's
 * frames are the same as before the option existed.
 */
export function buildSequenceFrames(seed: number, subject: SubjectTraits, sequence: number, labels: SequenceLabels, size: number, domain: SynthDomain = "lab"): FrameSpec[] {
  const F = labels.frames;
  const key = (p: number, ...rest: number[]) => Rng.of(seed, p, subject.index, sequence, ...rest);
  const scene = key(S.scene);
  const background = sampleBackground(scene);
  const photoRng = domain === "photo" ? key(S.photo) : null;
  const labDegrade = sampleDegrade(scene);
  const degradeBase = photoRng ? samplePhotoDegrade(photoRng) : labDegrade;
  const light: Lighting = photoRng ? samplePhotoLighting(photoRng) : sampleLighting(key(S.light));
  const photo = photoRng ? samplePhoto(photoRng) : undefined;
  const poseScale = photoRng ? 1.6 : 1;
  const maxPose = photoRng ? PHOTO_MAX_POSE : MAX_POSE;
  const clampPose = (x: number) => Math.max(-maxPose, Math.min(maxPose, x));
  const base = { yaw: poseScale * 9 * DEG * scene.normal(), pitch: poseScale * 7 * DEG * scene.normal(), roll: poseScale * 5 * DEG * scene.normal() };
  const distance = scene.uniform(45, 110);
  const cropBase = scene.uniform(1.3, 1.55);
  const motion = [0, 1, 2].map((i) => smoothNoise(key(S.pose, i), F, 10));
  const gaze = [0, 1].map((i) => smoothNoise(key(S.gaze, i), F, 4));
  const extras = EXTRA_SHAPES.map((_, i) => smoothNoise(key(S.extra, i), F, 8));
  const extraAmp = EXTRA_SHAPES.map((_, i) => key(S.extra, 100 + i).uniform(0, 0.15));
  // Blinks: a blink starts with probability ~1/35 per frame and lasts 3 frames (closing, shut, opening).
  const blink = new Float32Array(F);
  const br = key(S.blink);
  for (let t = 0; t < F; t++) {
    if (br.next() < 1 / 35) [0.6, 1, 0.45].forEach((v, i) => { if (t + i < F) blink[t + i] = Math.max(blink[t + i], v); });
  }
  const crop = key(S.crop);
  const frames: FrameSpec[] = [];
  for (let t = 0; t < F; t++) {
    const aus: [number, number, number, number][] = [];
    for (const au of labels.aus) {
      const c = labels.intensity.get(au)![t];
      if (c > 0) {
        const [l, r] = labels.sides.get(au)!;
        aus.push([au, c, l, r]);
      }
    }
    if (blink[t] > 0) aus.push([45, 5 * blink[t], 1, 1]);
    const extra: [string, number][] = [];
    EXTRA_SHAPES.forEach((name, i) => {
      const w = extraAmp[i] * Math.max(0, extras[i][t]);
      if (w > 0.005) extra.push([name, w]);
    });
    frames.push({
      subjectId: subject.index,
      backgroundId: hashKey(seed, S.scene, subject.index, sequence),
      identity: subject.identity,
      appearance: subject.appearance,
      aus,
      extra,
      gaze: [0.22 * gaze[0][t], 0.12 * gaze[1][t]],
      view: {
        pose: { yaw: clampPose(base.yaw + 5 * DEG * motion[0][t]), pitch: clampPose(base.pitch + 4 * DEG * motion[1][t]), roll: clampPose(base.roll + 3 * DEG * motion[2][t]) },
        distance,
        // Detector boxes jitter from frame to frame.
        cropScale: cropBase * (1 + 0.025 * crop.normal()),
        shiftX: 0.03 * crop.normal(),
        shiftY: 0.03 * crop.normal(),
        size,
      },
      light,
      background,
      degrade: { ...degradeBase, gain: degradeBase.gain * (1 + 0.01 * crop.normal()) },
      noiseKey: hashKey(seed, S.noise, subject.index, sequence, t),
      ...(photo ? { photo } : {}),
    });
  }
  return frames;
}
