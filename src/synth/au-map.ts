/**
 * FACS AU intensities -> facekit expression-shape weights, using the manifest's AU table with the
 * judgement rows fixed once here (see docs/synthau.md, "AU mapping choices"):
 * - AU10 uses row `10_alt` (mouthUpperUp + some mouthShrugUpper): it lifts the whole upper lip and
 *   the nostril wings as FACS describes; the ICT row only pouts the lip centre. AU11 shares its
 *   shapes, so SynthAU never renders AU11.
 * - AU23, AU25 use the package's judgement rows unchanged.
 * - AU26 uses row `26` when the lips are parted by AU25 and row `26_closed` (adds mouthClose) when
 *   they are not, blended smoothly by AU25's intensity so the lips never jump.
 * Rule (manifest): intensity 0..5 scales a row by intensity/5; rows add per shape; clamp to [0, 1].
 */
import type { AuRow, FaceKit } from "./facekit.ts";

/** Which manifest row renders each AU number. */
export const AU_ROW_CHOICE: Readonly<Record<number, string>> = { 10: "10_alt", 26: "26" };

/** AUs SynthAU can render (each has a row in the table). AU11 is left out: it shares AU10's shapes. */
export const RENDERABLE_AUS: readonly number[] = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27, 28, 33, 45];

/** One AU's state in a frame: continuous intensity 0..5 and per-side factors (1 = full). */
export interface AuState {
  intensity: number;
  left: number;
  right: number;
}

/** Pre-resolved rows: shape indices and weights, ready to add into a weight vector. */
export interface AuMapper {
  numShapes: number;
  shapeIndex: (name: string) => number;
  /** Expression weights [57] (0..1) for AU states plus optional raw extra shape weights. */
  weights: (aus: ReadonlyMap<number, AuState>, extra?: ReadonlyMap<string, number>) => Float32Array;
}

interface ResolvedComponent {
  shape: number;
  weight: number;
  side: "L" | "R" | "both";
}

/** Builds the AU -> shape-weight mapper for a loaded model. */
export function createAuMapper(kit: FaceKit): AuMapper {
  const names = kit.expressionNames;
  const shapeIndex = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`facekit: no expression shape named "${name}"`);
    return i;
  };
  const rowFor = (key: string): ResolvedComponent[] => {
    const row: AuRow | undefined = kit.auRows.find((r) => String(r.au) === key);
    if (!row) throw new Error(`facekit: the AU table has no row "${key}"`);
    return row.components.map((c) => ({ shape: shapeIndex(c.shape), weight: c.weight, side: c.side }));
  };
  const rows = new Map<number, ResolvedComponent[]>();
  for (const au of RENDERABLE_AUS) rows.set(au, rowFor(AU_ROW_CHOICE[au] ?? String(au)));
  const closed26 = rowFor("26_closed");
  const jawOpen = shapeIndex("jawOpen");
  const mouthClose = shapeIndex("mouthClose");

  const add = (w: Float32Array, comps: ResolvedComponent[], s: AuState, scale = 1) => {
    const k = (Math.min(5, Math.max(0, s.intensity)) / 5) * scale;
    if (k <= 0) return;
    for (const c of comps) {
      const side = c.side === "L" ? s.left : c.side === "R" ? s.right : 1;
      w[c.shape] += c.weight * k * side;
    }
  };

  const weights = (aus: ReadonlyMap<number, AuState>, extra?: ReadonlyMap<string, number>): Float32Array => {
    const w = new Float32Array(names.length);
    for (const [au, s] of aus) {
      const comps = rows.get(au);
      if (!comps) throw new Error(`SynthAU: AU${au} cannot be rendered (renderable: ${RENDERABLE_AUS.join(", ")})`);
      if (au !== 26) add(w, comps, s);
    }
    const s26 = aus.get(26);
    if (s26 && s26.intensity > 0) {
      // Lips parted by AU25 -> plain row 26; lips together -> row 26_closed. Blend over AU25 0..1.
      const parted = Math.min(1, Math.max(0, aus.get(25)?.intensity ?? 0));
      add(w, rows.get(26)!, s26, parted);
      add(w, closed26, s26, 1 - parted);
    }
    if (extra) for (const [name, v] of extra) w[shapeIndex(name)] += v;
    for (let i = 0; i < w.length; i++) w[i] = Math.min(1, Math.max(0, w[i]));
    // Manifest: keep mouthClose <= 0.85 x jawOpen, or the lips overlap.
    w[mouthClose] = Math.min(w[mouthClose], 0.85 * w[jawOpen]);
    return w;
  };
  return { numShapes: names.length, shapeIndex, weights };
}
