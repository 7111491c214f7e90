/**
 * Writes docs/synthau-gallery.png: one row per AU (BP4D's 12, then DISFA's 9, 25, 26), each row
 * neutral vs active (intensity 4) for a frontal subject and for a second subject in a turned pose.
 *
 *   node --import tsx scripts/gallery.ts [out.png]
 */
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { AU_NAMES } from "../src/data/aus.ts";
import { sampleLighting } from "../src/synth/appearance.ts";
import { sampleBackground } from "../src/synth/background.ts";
import { FaceRenderer, type FrameSpec } from "../src/synth/render.ts";
import { Rng } from "../src/synth/random.ts";
import { sampleSubject } from "../src/synth/sequences.ts";

const AUS: [number, string][] = [1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24, 9, 25, 26].map((au) => [au, AU_NAMES[au]]);
const TILE = 160, LABEL = 190;
const out = process.argv[2] ?? fileURLToPath(new URL("../docs/synthau-gallery.png", import.meta.url));
const renderer = new FaceRenderer();
// Two gallery subjects with dark brows (so brow AUs read at this size): a bald mid tone, then one with hair.
const sum = (c: number[]) => c[0] + c[1] + c[2];
const traits = Array.from({ length: 64 }, (_, i) => sampleSubject(3, i));
const first = traits.find((t) => sum(t.appearance.brows) < 0.5 && sum(t.appearance.skin) < 2.2 && !Number.isFinite(t.appearance.hairline))!.index;
const second = traits.find((t) => t.index !== first && sum(t.appearance.brows) < 0.5 && Number.isFinite(t.appearance.hairline))!.index;

function spec(subject: number, yaw: number, pitch: number, aus: [number, number, number, number][]): FrameSpec {
  const t = sampleSubject(3, subject);
  const rng = Rng.of(3, 99, subject);
  return {
    subjectId: subject, backgroundId: subject, identity: t.identity, appearance: t.appearance, aus, extra: [], gaze: [0, 0],
    view: { pose: { yaw, pitch, roll: 0 }, distance: 70, cropScale: 1.3, shiftX: 0, shiftY: 0, size: TILE },
    light: { ...sampleLighting(rng), dir: [0.25, 0.35, 0.9], ambient: [0.3, 0.3, 0.3], colour: [0.75, 0.75, 0.75] },
    background: sampleBackground(rng), degrade: { blur: 0.4, noise: 0.8, jpegQuality: 100, gain: 1, contrast: 1 }, noiseKey: 1,
  };
}

async function tile(s: FrameSpec): Promise<Buffer> {
  const f = renderer.render(s);
  return sharp(Buffer.from(f.rgb), { raw: { width: TILE, height: TILE, channels: 3 } }).png().toBuffer();
}

const layers: sharp.OverlayOptions[] = [];
for (const [row, [au, name]] of AUS.entries()) {
  const on: [number, number, number, number][] = [[au, 4, 1, 1]];
  if (au === 26) on.push([25, 0, 1, 1]); // AU26 alone: lips together (row 26_closed)
  const cells = [spec(first, 0, 0, []), spec(first, 0, 0, on), spec(second, 0.3, -0.1, []), spec(second, 0.3, -0.1, on)];
  for (const [col, s] of cells.entries()) layers.push({ input: await tile(s), left: LABEL + col * TILE, top: row * TILE });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL}" height="${TILE}"><rect width="100%" height="100%" fill="#222"/>` +
    `<text x="12" y="${TILE / 2 - 4}" font-family="sans-serif" font-size="26" fill="#fff">AU${au}</text>` +
    `<text x="12" y="${TILE / 2 + 22}" font-family="sans-serif" font-size="15" fill="#bbb">${name}</text></svg>`;
  layers.push({ input: Buffer.from(svg), left: 0, top: row * TILE });
}
await sharp({ create: { width: LABEL + 4 * TILE, height: AUS.length * TILE, channels: 3, background: "#222" } })
  .composite(layers)
  .png({ compressionLevel: 9, palette: true, quality: 95 })
  .toFile(out);
console.log(`wrote ${out}: rows ${AUS.map(([a]) => a).join(", ")}; columns neutral | active (frontal), neutral | active (turned)`);
