/**
 * `aunce detect` output records: one per face per frame (or one with success 0 for a frame without
 * a face), written as CSV or as a streamed JSON array.
 *
 * CSV columns: file, frame, timestamp, face_id, confidence, success, x, y, w, h, x_0..x_67,
 * y_0..y_67, then AUnn_r for every AU, then AUnn_c for every AU (OpenFace's order and names:
 * all intensities, then all presences). Our AUnn_r is a probability 0..1 (OpenFace's is an
 * intensity 0..5); AUnn_c is 1 when the probability reaches the AU's threshold. frame counts from 1
 * and timestamp (s) from 0, as in OpenFace; a still image is frame 1 at 0 s. Appended after the
 * AUs (so earlier columns keep their positions): kp_x_0..kp_x_4, kp_y_0..kp_y_4, YuNet's 5 key
 * points (subject's right eye, left eye, nose tip, right and left mouth corner; empty with the SSD
 * and on video frames between detections), and aligned_on: landmarks68, or points5 when the
 * 68-point fit failed its sanity checks and the face was aligned on the 5 points.
 */
import type { DetectedFace } from "../../api/detector.ts";

/** One output record. */
export interface DetectRecord {
  file: string;
  frame: number;
  timestamp: number;
  faceId: number;
  face: DetectedFace | null;
}

/** Two-digit AU name: 1 -> "AU01". */
export const auName = (au: number): string => `AU${String(au).padStart(2, "0")}`;

/** The CSV header for the given AU list. */
export function csvHeader(aus: readonly number[]): string[] {
  const cols = ["file", "frame", "timestamp", "face_id", "confidence", "success", "x", "y", "w", "h"];
  for (let i = 0; i < 68; i++) cols.push(`x_${i}`);
  for (let i = 0; i < 68; i++) cols.push(`y_${i}`);
  for (const au of aus) cols.push(`${auName(au)}_r`);
  for (const au of aus) cols.push(`${auName(au)}_c`);
  for (let i = 0; i < 5; i++) cols.push(`kp_x_${i}`);
  for (let i = 0; i < 5; i++) cols.push(`kp_y_${i}`);
  cols.push("aligned_on");
  return cols;
}

/** RFC 4180 quoting where needed. */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no newline). A record without a face leaves coordinates and AUs empty. */
export function csvRow(r: DetectRecord, aus: readonly number[]): string {
  const f = r.face;
  const cells: string[] = [csvField(r.file), String(r.frame), r.timestamp.toFixed(3), String(r.faceId)];
  if (!f) {
    cells.push("0", "0");
    const empty = 4 + 136 + 2 * aus.length + 10 + 1;
    for (let i = 0; i < empty; i++) cells.push("");
    return cells.join(",");
  }
  cells.push(f.confidence.toFixed(4), "1", f.box.x.toFixed(2), f.box.y.toFixed(2), f.box.width.toFixed(2), f.box.height.toFixed(2));
  for (const p of f.landmarks) cells.push(p[0].toFixed(2));
  for (const p of f.landmarks) cells.push(p[1].toFixed(2));
  const byAu = new Map(f.aus.map((a) => [a.au, a]));
  for (const au of aus) cells.push(byAu.get(au)!.probability.toFixed(4));
  for (const au of aus) cells.push(byAu.get(au)!.present ? "1" : "0");
  for (const c of [0, 1]) for (let i = 0; i < 5; i++) cells.push(f.keypoints ? f.keypoints[i][c].toFixed(2) : "");
  cells.push(f.alignedOn);
  return cells.join(",");
}

/** The JSON form of a record. */
export function jsonRecord(r: DetectRecord): Record<string, unknown> {
  const f = r.face;
  const base = { file: r.file, frame: r.frame, timestamp: Number(r.timestamp.toFixed(3)), face_id: r.faceId, confidence: f ? f.confidence : 0, success: f ? 1 : 0 };
  if (!f) return base;
  const round = (v: number, d = 2) => Number(v.toFixed(d));
  return {
    ...base,
    box: { x: round(f.box.x), y: round(f.box.y), w: round(f.box.width), h: round(f.box.height) },
    landmarks: f.landmarks.map(([x, y]) => [round(x), round(y)]),
    ...(f.keypoints ? { keypoints: f.keypoints.map(([x, y]) => [round(x), round(y)]) } : {}),
    aligned_on: f.alignedOn,
    aus: Object.fromEntries(f.aus.map((a) => [a.name, { probability: round(a.probability, 4), present: a.present }])),
  };
}

/** Streams records to a writable as CSV or as one JSON array (constant memory). */
export class RecordWriter {
  private count = 0;

  constructor(private readonly write: (s: string) => void, readonly format: "csv" | "json", private readonly aus: readonly number[]) {
    if (format === "csv") this.write(csvHeader(aus).join(",") + "\n");
    else this.write("[");
  }

  add(r: DetectRecord): void {
    if (this.format === "csv") this.write(csvRow(r, this.aus) + "\n");
    else this.write((this.count ? ",\n" : "\n") + JSON.stringify(jsonRecord(r)));
    this.count++;
  }

  /** Closes the JSON array (CSV needs nothing). */
  end(): void {
    if (this.format === "json") this.write(this.count ? "\n]\n" : "]\n");
  }

  get records(): number {
    return this.count;
  }
}
