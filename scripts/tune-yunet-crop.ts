/**
 * Fits YUNET_LANDMARK_CROP (src/face/geometry/landmark-crop.ts): on SynthAU renders with known
 * landmarks, the 68-point net's mean error (over the inter-ocular distance, outer eye corners
 * 36-45) with the SSD's box as the crop, and with YuNet's box rescaled/shifted over a grid of
 * parameters; prints the SSD baseline and the best settings.
 * Run: node --import tsx scripts/tune-yunet-crop.ts [--subjects 8] [--seed 11]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { SsdMobilenetV1 } from "../src/face/detect.ts";
import { landmarkBoxForYunet, YUNET_LANDMARK_CROP, type LandmarkCropParams } from "../src/face/geometry/landmark-crop.ts";
import type { RgbImage } from "../src/face/image.ts";
import { FaceLandmark68Net } from "../src/face/landmarks.ts";
import { YuNet } from "../src/face/yunet.ts";
import { generateSynthDataset } from "../src/synth/index.ts";

const { values } = parseArgs({ options: { subjects: { type: "string", default: "8" }, seed: { type: "string", default: "11" } } });
const PAD = 48;
const dir = mkdtempSync(join(tmpdir(), "yunet-crop-"));
try {
  await generateSynthDataset({ style: "bp4d", subjects: Number(values.subjects), sequences: 2, frames: 3, out: dir, seed: Number(values.seed), workers: 0, force: true });
  const samples: { img: RgbImage; lm: number[] }[] = [];
  for (const f of readdirSync(join(dir, "synth", "landmarks"))) {
    const [subject, task] = f.replace(".csv", "").split("_");
    for (const row of readFileSync(join(dir, "synth", "landmarks", f), "utf8").trim().split("\n").slice(1)) {
      const c = row.split(",");
      const file = join(dir, "img", subject, task, `${c[1]}.jpg`);
      const { data, info } = await sharp(file).extend({ top: PAD, bottom: PAD, left: PAD, right: PAD, background: "#808080" }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      samples.push({ img: { width: info.width, height: info.height, data: new Uint8Array(data) }, lm: c.slice(2).map((v) => Number(v) + PAD) });
    }
  }
  const ssd = SsdMobilenetV1.load(), yunet = YuNet.load(), lmNet = FaceLandmark68Net.load();
  const err = (pred: Float32Array, lm: number[]) => {
    const iod = Math.hypot(lm[90] - lm[72], lm[91] - lm[73]);
    let s = 0;
    for (let i = 0; i < 68; i++) s += Math.hypot(pred[2 * i] - lm[2 * i], pred[2 * i + 1] - lm[2 * i + 1]);
    return s / 68 / iod;
  };
  const ssdBoxes = samples.map((s) => ssd.detect(s.img)[0]);
  const yBoxes = samples.map((s) => yunet.detect(s.img)[0]);
  const both = samples.map((_, i) => i).filter((i) => ssdBoxes[i] && yBoxes[i]);
  console.log(`${samples.length} renders; SSD found ${ssdBoxes.filter(Boolean).length}, YuNet ${yBoxes.filter(Boolean).length}; scoring the ${both.length} both found`);
  const meanErr = (boxOf: (i: number) => { x: number; y: number; width: number; height: number; score: number }) => both.reduce((a, i) => a + err(lmNet.detect(samples[i].img, [boxOf(i)])[0], samples[i].lm), 0) / both.length;
  console.log(`SSD box: mean error ${meanErr((i) => ssdBoxes[i]).toFixed(4)} IOD`);
  const ratio = both.map((i) => [ssdBoxes[i].width / yBoxes[i].width, ssdBoxes[i].height / yBoxes[i].height, (ssdBoxes[i].x + ssdBoxes[i].width / 2 - yBoxes[i].x - yBoxes[i].width / 2) / yBoxes[i].width, (ssdBoxes[i].y + ssdBoxes[i].height / 2 - yBoxes[i].y - yBoxes[i].height / 2) / yBoxes[i].height]);
  const avg = [0, 1, 2, 3].map((k) => ratio.reduce((a, r) => a + r[k], 0) / ratio.length);
  console.log(`SSD box relative to YuNet's (mean): sx ${avg[0].toFixed(3)} sy ${avg[1].toFixed(3)} dx ${avg[2].toFixed(3)} dy ${avg[3].toFixed(3)}`);
  let best: { p: LandmarkCropParams; e: number } | null = null;
  for (const sx of [0.9, 1, 1.1]) for (const sy of [0.9, 1, 1.1]) for (const dy of [0, 0.1, 0.15, 0.2, 0.25, 0.3]) {
    const p = { sx, sy, dx: 0, dy };
    const e = meanErr((i) => landmarkBoxForYunet(yBoxes[i], p));
    if (!best || e < best.e) best = { p, e };
  }
  const fromSsd = { sx: avg[0], sy: avg[1], dx: 0, dy: avg[3] };
  console.log(`YuNet box as is: ${meanErr((i) => yBoxes[i]).toFixed(4)}; mapped by the mean SSD framing: ${meanErr((i) => landmarkBoxForYunet(yBoxes[i], fromSsd)).toFixed(4)}`);
  console.log(`YUNET_LANDMARK_CROP ${JSON.stringify(YUNET_LANDMARK_CROP)}: ${meanErr((i) => landmarkBoxForYunet(yBoxes[i])).toFixed(4)} IOD`);
  console.log(`best grid point ${JSON.stringify(best!.p)}: ${best!.e.toFixed(4)} IOD`);
  for (const n of [ssd, yunet, lmNet]) n.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
