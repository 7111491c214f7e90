/**
 * Writers for the raw dataset layouts (spec §2) and SynthAU's own side files.
 * BP4D-style: AUCoding/AU_OCC/<S>_<T>.csv, header "0,<AU>,...", one row per frame, values 0/1/9.
 * DISFA-style: ActionUnit_Labels/<SN>/<SN>_au<N>.txt, lines "frame,intensity", frames from 1.
 * Side files (never read by the dataset parsers): synth/labels/<video>.csv (clean intensities,
 * levels and occurrences beside the noisy labels written), synth/landmarks/<video>.csv.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BP4D_CODED_AUS, DISFA_CODED_AUS, presentLevel, type SequenceLabels } from "./labels.ts";

/** Frames of one video as written: label tracks (possibly several sequences back to back). */
export interface VideoLabels {
  /** File name stem: "F001_T1" (BP4D) or "SN001" (DISFA). */
  name: string;
  /** Frame numbers as written in label files, one per frame. */
  frameNumbers: number[];
  /** Image paths relative to the dataset root, one per frame. */
  images: string[];
  /** The sequences, in order; their frame counts add up to frameNumbers.length. */
  sequences: SequenceLabels[];
  /** Per-frame pose in degrees [yaw, pitch, roll]. */
  poses: [number, number, number][];
}

/** Value of one AU at one frame across the concatenated sequences, or undefined if not modelled. */
function track(v: VideoLabels, au: number, field: "intensity" | "level" | "clean" | "noisy"): number[] | undefined {
  if (!v.sequences[0][field].has(au)) return undefined;
  return v.sequences.flatMap((s) => Array.from(s[field].get(au)!));
}

/** Writes <root>/AUCoding/AU_OCC/<name>.csv with the noisy (as-annotated) labels. */
export function writeBp4dOcc(root: string, v: VideoLabels): string {
  const dir = join(root, "AUCoding", "AU_OCC");
  mkdirSync(dir, { recursive: true });
  const cols = BP4D_CODED_AUS.map((au) => track(v, au, "noisy"));
  const lines = [["0", ...BP4D_CODED_AUS.map(String)].join(",")];
  v.frameNumbers.forEach((f, t) => lines.push([f, ...cols.map((c) => (c ? c[t] : 0))].join(",")));
  const path = join(dir, `${v.name}.csv`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/**
 * Written DISFA intensity: the clean integer level when the noisy label agrees with the clean one;
 * otherwise 2 (the present level) for a label flipped on, 0 for one dropped or flipped off.
 */
export function writtenIntensity(level: number, clean: number, noisy: number): number {
  if (noisy === clean) return level;
  return noisy === 1 ? presentLevel("disfa") : 0;
}

/** Writes <root>/ActionUnit_Labels/<name>/<name>_au<N>.txt for every DISFA-coded AU. */
export function writeDisfaLabels(root: string, v: VideoLabels): string[] {
  const dir = join(root, "ActionUnit_Labels", v.name);
  mkdirSync(dir, { recursive: true });
  return DISFA_CODED_AUS.map((au) => {
    const level = track(v, au, "level"), clean = track(v, au, "clean"), noisy = track(v, au, "noisy");
    const lines = v.frameNumbers.map((f, t) => `${f},${level ? writtenIntensity(level[t], clean![t], noisy![t]) : 0}`);
    const path = join(dir, `${v.name}_au${au}.txt`);
    writeFileSync(path, lines.join("\n") + "\n");
    return path;
  });
}

/**
 * Writes <root>/synth/labels/<name>.csv: image, frame, yaw/pitch/roll (degrees), then per modelled
 * AU: AU<n>_intensity (continuous, as rendered), AU<n>_level (integer 0..5), AU<n>_clean (0/1 by
 * the style's rule) and AU<n>_noisy (as written in the dataset files).
 */
export function writeGroundTruth(root: string, v: VideoLabels): string {
  const dir = join(root, "synth", "labels");
  mkdirSync(dir, { recursive: true });
  const aus = v.sequences[0].aus;
  const header = ["image", "frame", "yaw", "pitch", "roll", ...aus.flatMap((a) => [`AU${a}_intensity`, `AU${a}_level`, `AU${a}_clean`, `AU${a}_noisy`])];
  const tracks = aus.map((a) => [track(v, a, "intensity")!, track(v, a, "level")!, track(v, a, "clean")!, track(v, a, "noisy")!]);
  const lines = [header.join(",")];
  v.frameNumbers.forEach((f, t) => {
    const row: (string | number)[] = [v.images[t], f, ...v.poses[t].map((x) => x.toFixed(2))];
    for (const [inten, level, clean, noisy] of tracks) {
      // For DISFA-style output the written intensity implies exactly this occurrence (>= 2).
      row.push(inten[t].toFixed(3), level[t], clean[t], noisy[t]);
    }
    lines.push(row.join(","));
  });
  const path = join(dir, `${v.name}.csv`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** Writes <root>/synth/landmarks/<name>.csv: image, frame, x0, y0, ..., x67, y67 (pixels in the crop). */
export function writeLandmarks(root: string, v: VideoLabels, landmarks: Float32Array[]): string {
  const dir = join(root, "synth", "landmarks");
  mkdirSync(dir, { recursive: true });
  const header = ["image", "frame", ...Array.from({ length: 68 }, (_, i) => [`x${i}`, `y${i}`]).flat()];
  const lines = [header.join(",")];
  v.frameNumbers.forEach((f, t) => lines.push([v.images[t], f, ...Array.from(landmarks[t], (x) => x.toFixed(2))].join(",")));
  const path = join(dir, `${v.name}.csv`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}
