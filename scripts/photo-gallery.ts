// A 4x4 sheet of SynthAU "photo"-domain renders (first frame of 16 subjects, seed 5), to look at the
// domain: node --import tsx scripts/photo-gallery.ts [out.png]
import sharp from "sharp";
import { FaceRenderer } from "../src/synth/render.ts";
import { buildSequenceFrames, sampleSubject } from "../src/synth/sequences.ts";
import { generateSequenceLabels, resolveLabelOptions } from "../src/synth/labels.ts";
const r = new FaceRenderer();
const lo = resolveLabelOptions({ style: "bp4d" });
const tiles: Buffer[] = [];
let ms = 0, n = 0;
for (let s = 0; s < 16; s++) {
  const traits = sampleSubject(5, s);
  const labels = generateSequenceLabels(lo, 5, s, 0, 3);
  const [spec] = buildSequenceFrames(5, traits, s, labels, 256, "photo");
  const t = performance.now();
  const f = r.render(spec);
  ms += performance.now() - t; n++;
  tiles.push(await sharp(Buffer.from(f.rgb), { raw: { width: 256, height: 256, channels: 3 } }).png().toBuffer());
}
console.log(`render ms/frame ${(ms / n).toFixed(1)}`);
await sharp({ create: { width: 1024, height: 1024, channels: 3, background: "#000" } }).composite(tiles.map((t, i) => ({ input: t, left: (i % 4) * 256, top: Math.floor(i / 4) * 256 }))).png().toFile(process.argv[2] ?? "photo-gallery.png");
