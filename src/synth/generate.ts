/**
 * SynthAU orchestration: plans subjects, sequences and labels, renders every frame through the
 * render pool, and writes a BP4D-style or DISFA-style tree plus side files and synth.json.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { generateSequenceLabels, resolveLabelOptions, type DatasetStyle, type LabelOptions, type ResolvedLabelOptions } from "./labels.ts";
import { AU_ROW_CHOICE } from "./au-map.ts";
import { BP4D_MAX_TASKS, subjectNames, taskName } from "./naming.ts";
import { RenderPool, type RenderTask } from "./pool.ts";
import { buildSequenceFrames, sampleSubject } from "./sequences.ts";
import { SYNTH_DOMAINS, type SynthDomain } from "./photo.ts";
import { Rng } from "./random.ts";
import { writeBp4dOcc, writeDisfaLabels, writeGroundTruth, writeLandmarks, type VideoLabels } from "./writers.ts";

/** Options of generateSynthDataset. */
export interface SynthOptions extends Omit<LabelOptions, "style"> {
  style: DatasetStyle;
  /** Subjects (BP4D-style ≤ 41, DISFA-style ≤ 27), named from the spec's parts round-robin. */
  subjects: number;
  /** Sequences per subject (BP4D-style: tasks T1..T8, so ≤ 8; DISFA-style: concatenated). */
  sequences: number;
  /** Frames per sequence. */
  frames: number;
  /** Output directory (must be empty or absent unless `force`). */
  out: string;
  seed: number;
  /** Image size, pixels (default 256, as the real crops). */
  size?: number;
  /** Render threads (default: one per core; 0 = this thread). Output does not depend on it. */
  workers?: number;
  force?: boolean;
  /**
   * "lab" (default: the look the fixed-protocol BP4D/DISFA-style datasets are made with) or
   * "photo" (harsher light, shadows, occluders, wider pose, stronger camera artefacts, some grey
   * frames: src/synth/photo.ts; meant for training models for real photos). Labels are the same.
   */
  domain?: SynthDomain;
  /** Called after each rendered batch. */
  onProgress?: (done: number, total: number) => void;
}

/** What was written. */
export interface SynthResult {
  out: string;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  subjects: { name: string; part: number }[];
  manifestPath: string;
}

/** Version of the generator's output format and random streams; bump when outputs change. */
export const SYNTH_VERSION = 1;

function checkInt(name: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name}: expected an integer in ${lo}..${hi}, got ${v}`);
}

/**
 * Generates a synthetic FACS-labelled dataset on disk.
 * @example
 * await generateSynthDataset({ style: "bp4d", subjects: 6, sequences: 2, frames: 20, out: "runs/synth", seed: 1 });
 */
export async function generateSynthDataset(o: SynthOptions): Promise<SynthResult> {
  const t0 = performance.now();
  const style = o.style;
  if (style !== "bp4d" && style !== "disfa") throw new RangeError(`style: expected "bp4d" or "disfa", got ${JSON.stringify(style)}`);
  const subjects = subjectNames(style, o.subjects);
  checkInt("sequences", o.sequences, 1, style === "bp4d" ? BP4D_MAX_TASKS : 1000);
  checkInt("frames", o.frames, 1, 1_000_000);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  const size = o.size ?? 256;
  checkInt("size", size, 32, 2048);
  const domain = o.domain ?? "lab";
  if (!SYNTH_DOMAINS.includes(domain)) throw new RangeError(`domain: expected ${SYNTH_DOMAINS.map((d) => JSON.stringify(d)).join(" or ")}, got ${JSON.stringify(domain)}`);
  const workers = o.workers ?? Math.max(1, availableParallelism());
  checkInt("workers", workers, 0, 256);
  const labelOpts = resolveLabelOptions({
    style, rates: o.rates, eventFrames: o.eventFrames, gain: o.gain, subjectVariance: o.subjectVariance,
    sequenceVariance: o.sequenceVariance, flipRate: o.flipRate, missRate: o.missRate, notCodedRate: o.notCodedRate,
  });
  const out = resolve(o.out);
  if (existsSync(out) && readdirSync(out).length > 0 && !o.force) {
    throw new Error(`out: ${out} is not empty; choose an empty folder or pass force (--force) to write into it`);
  }
  mkdirSync(out, { recursive: true });

  const total = subjects.length * o.sequences * o.frames;
  let done = 0;
  const pool = new RenderPool(workers);
  const pendingVideos: Promise<void>[] = [];
  try {
    for (let si = 0; si < subjects.length; si++) {
      const traits = sampleSubject(o.seed, si);
      const videos = planVideos(style, subjects[si].name, o, labelOpts, si);
      for (const { video, seqIndices } of videos) {
        const tasks: RenderTask[] = [];
        video.sequences.forEach((labels, k) => {
          const specs = buildSequenceFrames(o.seed, traits, seqIndices[k], labels, size, domain);
          for (const spec of specs) {
            const t = tasks.length;
            video.poses.push([spec.view.pose.yaw, spec.view.pose.pitch, spec.view.pose.roll].map((r) => (r * 180) / Math.PI) as [number, number, number]);
            tasks.push({ spec, path: join(out, video.images[t]), format: style === "bp4d" ? "jpg" : "png" });
          }
        });
        const batches: Promise<Float32Array[]>[] = [];
        for (let i = 0; i < tasks.length; i += 8) {
          // Keep the queue short so memory stays flat for big datasets.
          await pool.whenQueueBelow(64);
          const batch = tasks.slice(i, i + 8);
          batches.push(pool.run(batch).then((lm) => {
            done += batch.length;
            o.onProgress?.(done, total);
            return lm;
          }));
        }
        if (style === "bp4d") writeBp4dOcc(out, video);
        else writeDisfaLabels(out, video);
        writeGroundTruth(out, video);
        const written = Promise.all(batches).then((lms) => void writeLandmarks(out, video, lms.flat()));
        // Awaited below; the no-op handler only stops Node reporting an early failure as unhandled.
        written.catch(() => undefined);
        pendingVideos.push(written);
      }
    }
    await Promise.all(pendingVideos);
  } finally {
    await pool.close();
  }
  const manifestPath = join(out, "synth.json");
  writeFileSync(manifestPath, JSON.stringify(manifest(o, labelOpts, subjects, size), null, 2) + "\n");
  const seconds = (performance.now() - t0) / 1000;
  return { out, images: total, seconds, imagesPerSecond: total / seconds, subjects, manifestPath };
}

/**
 * The videos of one subject: BP4D-style, one per task (frames numbered from a random start, as
 * real BP4D codes a segment of each task); DISFA-style, one per subject with the sequences back to
 * back, frames numbered from 1 and images from 0.
 */
function planVideos(style: DatasetStyle, subject: string, o: SynthOptions, lo: ResolvedLabelOptions, si: number): { video: VideoLabels; seqIndices: number[] }[] {
  const labelsOf = (j: number) => generateSequenceLabels(lo, o.seed, si, j, o.frames);
  if (style === "bp4d") {
    return Array.from({ length: o.sequences }, (_, j) => {
      const start = Rng.of(o.seed, 20, si, j).int(1, 400);
      const frameNumbers = Array.from({ length: o.frames }, (_, t) => start + t);
      const task = taskName(j);
      return {
        video: { name: `${subject}_${task}`, frameNumbers, images: frameNumbers.map((f) => `img/${subject}/${task}/${f}.jpg`), sequences: [labelsOf(j)], poses: [] },
        seqIndices: [j],
      };
    });
  }
  const n = o.sequences * o.frames;
  const seqIndices = Array.from({ length: o.sequences }, (_, j) => j);
  return [{
    video: {
      name: subject,
      frameNumbers: Array.from({ length: n }, (_, i) => i + 1),
      images: Array.from({ length: n }, (_, i) => `img/${subject}/${i}.png`),
      sequences: seqIndices.map(labelsOf),
      poses: [],
    },
    seqIndices,
  }];
}

function manifest(o: SynthOptions, lo: ResolvedLabelOptions, subjects: { name: string; part: number }[], size: number) {
  return {
    generator: "SynthAU",
    version: SYNTH_VERSION,
    style: o.style,
    seed: o.seed,
    subjects: o.subjects,
    sequences: o.sequences,
    frames: o.frames,
    size,
    domain: o.domain ?? "lab",
    labelOptions: lo,
    auRowChoice: AU_ROW_CHOICE,
    subjectParts: subjects,
    layout: o.style === "bp4d"
      ? { labels: "AUCoding/AU_OCC/<S>_<T>.csv", images: "img/<S>/<T>/<frame>.jpg" }
      : { labels: "ActionUnit_Labels/<SN>/<SN>_au<N>.txt", images: "img/<SN>/<i>.png" },
    sideFiles: { groundTruth: "synth/labels/<video>.csv", landmarks: "synth/landmarks/<video>.csv" },
    faceModel: "assets/facekit (ICT-FaceKit repack, MIT)",
  };
}
