/**
 * Data benchmark: two-view augmented batches per second from 256x256 JPEGs (spec §5 pipeline, batch
 * 32), with worker threads, plus a single-thread breakdown (decode vs augment per view).
 *
 *   node --import tsx bench/data.ts [--workers 2] [--batches 12] [--images 96]
 *
 * The second figure is the share of a ResNet-18 training epoch spent waiting for data when both run
 * together: `dataWaitShare(loader, step)` around a real AUNCE step (ResNet-18 backbone, two views,
 * two forward passes, the AUNCE loss, AdamW) at batch 32 x 2 views, 224x224.
 */
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { AuDataset } from "../src/data/dataset.ts";
import { DataLoader, type Batch } from "../src/data/loader.ts";
import { Rng } from "../src/data/rng.ts";
import { decodeRgb } from "../src/data/transforms/decode.ts";
import { sampleAugmentParams } from "../src/data/transforms/params.ts";
import { augmentView } from "../src/data/transforms/pipeline.ts";
import { writeBenchResults, type BenchRow } from "./results.ts";

/** Writes `n` synthetic 256x256 face-sized JPEGs (smooth shapes + noise, quality 90); returns their folder. */
export async function makeJpegs(n: number): Promise<string> {
  const dir = join(tmpdir(), `aunce-bench-data-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(1);
  for (let i = 0; i < n; i++) {
    const px = Buffer.alloc(256 * 256 * 3);
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++) {
        const o = (y * 256 + x) * 3;
        const d = Math.hypot(x - 128, y - 120) / 128;
        px[o] = Math.min(255, 200 * (1 - d) + 40 + (rng.nextU32() & 15));
        px[o + 1] = Math.min(255, 150 * (1 - d) + 30 + ((x + i) & 31));
        px[o + 2] = Math.min(255, 120 * (1 - d) + 20 + ((y * 3) & 31));
      }
    await sharp(px, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(dir, `${i}.jpg`));
  }
  return dir;
}

/**
 * Runs `step` on every batch of one epoch and returns the share of wall time spent waiting for the
 * loader (time between finishing a step and receiving the next batch), with the totals in ms.
 */
export async function dataWaitShare(loader: DataLoader, step: (b: Batch) => Promise<void> | void, epoch = 0): Promise<{ waitMs: number; totalMs: number; share: number }> {
  const t0 = performance.now();
  let wait = 0;
  let mark = t0;
  for await (const b of loader.epoch(epoch)) {
    wait += performance.now() - mark;
    await step(b);
    mark = performance.now();
  }
  const total = performance.now() - t0;
  return { waitMs: wait, totalMs: total, share: wait / total };
}

/**
 * Two-view training batches per second from `ds`: one warm-up epoch (worker start-up, JIT), then
 * `batches` timed batches across epochs. images/s counts dataset images (each gives two views).
 */
export async function loaderRate(ds: AuDataset, opts: { workers: number; batches: number; batchSize: number }): Promise<{ batchesPerSec: number; imagesPerSec: number }> {
  const loader = new DataLoader(ds, { batchSize: opts.batchSize, mode: "train", views: 2, workers: opts.workers, prefetch: 2 });
  try {
    for await (const b of loader.epoch(0)) void b;
    let done = 0;
    const t0 = performance.now();
    for (let e = 1; done < opts.batches; e++) {
      for await (const b of loader.epoch(e)) {
        void b;
        if (++done >= opts.batches) break;
      }
    }
    const s = (performance.now() - t0) / 1000;
    return { batchesPerSec: done / s, imagesPerSec: (done * opts.batchSize) / s };
  } finally {
    await loader.close();
  }
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const workers = arg("workers", 2);
  const batches = arg("batches", 12);
  const nImages = arg("images", 96);
  const batchSize = 32;
  const dir = await makeJpegs(nImages);
  const rows: BenchRow[] = [];
  try {
    const images = Array.from({ length: nImages }, (_, i) => `${i}.jpg`);
    const ds = new AuDataset({ dataset: "BP4D", imgRoot: dir, images, labels: new Int8Array(nImages * 12), numAus: 12 });

    // Single-thread breakdown.
    const dec0 = performance.now();
    const imgs = [];
    for (let i = 0; i < 16; i++) imgs.push(await decodeRgb(ds.path(i)));
    const decodeMs = (performance.now() - dec0) / 16;
    const out = new Float32Array(3 * 224 * 224);
    const scratch = new Float32Array(3 * 224 * 224);
    const aug0 = performance.now();
    for (let i = 0; i < 64; i++) {
      const img = imgs[i % 16];
      augmentView(img, sampleAugmentParams(new Rng(2, 0, i, 0), 256, 256), 224, out, scratch);
    }
    const augMs = (performance.now() - aug0) / 64;
    console.log(`single thread: decode ${decodeMs.toFixed(2)} ms/image, augment ${augMs.toFixed(2)} ms/view (224 crop, jitter p0.8, gray p0.2, blur)`);

    const rate = await loaderRate(ds, { workers, batches, batchSize });
    console.log(`loader (${workers} workers, batch ${batchSize} x 2 views): ${rate.batchesPerSec.toFixed(2)} batches/s, ${rate.imagesPerSec.toFixed(1)} images/s`);
    rows.push({ id: "data.loader", benchmark: `data loader, ${workers} worker${workers === 1 ? "" : "s"}, batch ${batchSize} x 2 views from 256 px JPEGs`, ours: `${rate.imagesPerSec.toFixed(1)} img/s (${rate.batchesPerSec.toFixed(1)} batches/s)`, values: { imagesPerSecond: rate.imagesPerSec } });
    // Data loading and a ResNet-18 AUNCE step sharing the same 2 cores.
    const { createAuModel } = await import("../src/models/registry.ts");
    const { aunceLoss } = await import("../src/losses/index.ts");
    const { AdamW } = await import("../src/nn/index.ts");
    const { tidy } = await import("../src/tensor/index.ts");
    const { batchToTensors } = await import("../src/data/to-tensors.ts");
    const model = createAuModel({ backbone: "resnet18", numAus: 12 });
    const opt = new AdamW(model.parameters(), { lr: 1e-5, weightDecay: 1e-6 });
    const trainLoader = new DataLoader(ds, { batchSize, mode: "train", views: 2, workers, prefetch: 2, dropLast: true });
    try {
      const step = (b: Batch) => {
        const bt = batchToTensors(b);
        tidy(() => {
          opt.zeroGrad();
          aunceLoss(model.forward(bt.views[0]), model.forward(bt.views[1]), bt.labels.clampMin(0)).backward();
        });
        opt.step();
        bt.dispose();
      };
      const r = await dataWaitShare(trainLoader, step, 1);
      console.log(`ResNet-18 AUNCE epoch (${trainLoader.batchesPerEpoch} steps of 32 x 2 views): ${(r.totalMs / 1000).toFixed(1)} s, waiting for data ${(r.waitMs / 1000).toFixed(2)} s = ${(100 * r.share).toFixed(1)}% (goal < 10%)`);
      rows.push({ id: "data.wait_share", benchmark: `time a ResNet-18 AUNCE epoch waits for data (loader with ${workers} worker${workers === 1 ? "" : "s"} and training sharing the cores)`, ours: `${(100 * r.share).toFixed(1)}%`, values: { share: r.share } });
    } finally {
      await trainLoader.close();
      opt.dispose();
      model.dispose();
    }
    writeBenchResults("data", rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
