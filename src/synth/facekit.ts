/**
 * Loads the facekit face model (assets/facekit: ICT-FaceKit repack, MIT) into typed arrays.
 * The data is read once per thread and shared by every render in that thread.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where the model lives; resolved from this file so it works from src/ (tsx) and dist/ (tsc). */
export const FACEKIT_DIR = fileURLToPath(new URL("../../assets/facekit/", import.meta.url));

/** Part ids of `triangle_part` / `vertex_part` (manifest.part_names order). */
export const PART = {
  skin: 0,
  mouthInterior: 1,
  eyeSocket: 2,
  gumsTongue: 3,
  teeth: 4,
  sclera: 5,
  iris: 6,
  pupil: 7,
} as const;

/** One AU-to-shape component of the manifest's AU table. */
export interface AuComponent {
  shape: string;
  weight: number;
  side: "L" | "R" | "both";
}

/** One row of the manifest's AU table (`au` is a number or a variant name like "26_closed"). */
export interface AuRow {
  au: number | string;
  name: string;
  components: AuComponent[];
}

/** The decoded face model. Positions in cm, model frame (+x subject's left, +y up, +z forward). */
export interface FaceKit {
  /** V, all vertices; Ve, the vertices expressions move (0..Ve-1). */
  numVertices: number;
  numExprVertices: number;
  /** [V*3] float32 cm. */
  neutral: Float32Array;
  /** [T*3] uint16 vertex indices, counter-clockwise seen from outside. */
  triangles: Uint16Array;
  /** [T] part id per triangle. */
  trianglePart: Uint8Array;
  /** [V] part id per vertex. */
  vertexPart: Uint8Array;
  /** [68] vertex indices, iBUG order. */
  landmarks68: Uint16Array;
  /** [V] 0..255 soft masks. */
  paintLips: Uint8Array;
  paintBrows: Uint8Array;
  /** [30][V*3] float32 cm per unit weight. */
  identity: Float32Array[];
  /** [57][Ve*3] float32 cm per unit weight. */
  expression: Float32Array[];
  expressionNames: string[];
  auRows: AuRow[];
  /** Flat preview colours (0..1) by name. */
  colours: Record<string, [number, number, number]>;
}

interface ArrayEntry {
  name: string;
  dtype: "float32" | "float16" | "uint16" | "uint8";
  shape: number[];
  byte_offset: number;
}

function halfToFloat(h: Uint16Array): Float32Array {
  // A 64k lookup table is faster than decoding 2.3M halves one by one.
  const table = new Float32Array(65536);
  for (let x = 0; x < 65536; x++) {
    const s = x & 0x8000 ? -1 : 1;
    const e = (x >> 10) & 0x1f;
    const f = x & 0x3ff;
    table[x] = e === 0 ? s * f * 2 ** -24 : e === 31 ? (f ? NaN : s * Infinity) : s * (1 + f / 1024) * 2 ** (e - 15);
  }
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = table[h[i]];
  return out;
}

let cached: FaceKit | null = null;

/** Reads and decodes assets/facekit once per thread (about 20 MB decoded); later calls reuse it. */
export function loadFaceKit(dir: string = FACEKIT_DIR): FaceKit {
  if (cached && dir === FACEKIT_DIR) return cached;
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, "utf8"));
  const file = readFileSync(`${dir}/${manifest.binary.file}`);
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  const entry = (name: string): ArrayEntry => {
    const a = (manifest.arrays as ArrayEntry[]).find((x) => x.name === name);
    if (!a) throw new Error(`facekit manifest: array "${name}" is missing in ${dir}/manifest.json`);
    return a;
  };
  const count = (a: ArrayEntry) => a.shape.reduce((p, c) => p * c, 1);
  const u16 = (name: string) => { const a = entry(name); return new Uint16Array(ab, a.byte_offset, count(a)); };
  const u8 = (name: string) => { const a = entry(name); return new Uint8Array(ab, a.byte_offset, count(a)); };
  const f16 = (name: string) => { const a = entry(name); return halfToFloat(new Uint16Array(ab, a.byte_offset, count(a))); };
  const split = (flat: Float32Array, n: number): Float32Array[] => {
    const len = flat.length / n;
    return Array.from({ length: n }, (_, i) => flat.subarray(i * len, (i + 1) * len));
  };
  const V: number = manifest.counts.num_vertices;
  const Ve: number = manifest.counts.num_expression_vertices;
  const colours: Record<string, [number, number, number]> = {};
  for (const [k, v] of Object.entries(manifest.render_hints.colours as Record<string, [number, number, number]>)) {
    colours[k.split(" ")[0]] = v;
  }
  const kit: FaceKit = {
    numVertices: V,
    numExprVertices: Ve,
    neutral: new Float32Array(ab, entry("neutral_vertices").byte_offset, V * 3),
    triangles: u16("triangles"),
    trianglePart: u8("triangle_part"),
    vertexPart: u8("vertex_part"),
    landmarks68: u16("landmarks68"),
    paintLips: u8("paint_lips"),
    paintBrows: u8("paint_brows"),
    identity: split(f16("identity_deltas"), manifest.counts.num_identity_shapes),
    expression: split(f16("expression_deltas"), manifest.counts.num_expression_shapes),
    expressionNames: manifest.expression_names,
    auRows: manifest.au_mapping.rows,
    colours,
  };
  if (dir === FACEKIT_DIR) cached = kit;
  return kit;
}
