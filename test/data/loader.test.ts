import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { AuDataset } from "../../src/data/dataset.ts";
import { DataLoader, type Batch } from "../../src/data/loader.ts";
import { viewRng } from "../../src/data/sample.ts";
import { decodeRgb } from "../../src/data/transforms/decode.ts";
import { DEFAULT_AUGMENT, sampleAugmentParams } from "../../src/data/transforms/params.ts";
import { augmentView, testView } from "../../src/data/transforms/pipeline.ts";
import { tempDir } from "./helpers/raw-trees.ts";

// Small images and crop keep the suite fast; the pipeline is size-agnostic.
const W = 40;
const H = 36;
const CROP = 28;
const N = 11;
const augment = { cropSize: CROP };
let ds: AuDataset;

before(async () => {
  const root = tempDir();
  mkdirSync(join(root, "img", "S"), { recursive: true });
  const images: string[] = [];
  for (let i = 0; i < N; i++) {
    const px = Buffer.alloc(W * H * 3);
    for (let j = 0; j < px.length; j++) px[j] = (j * 7 + i * 31 + ((j * j) % 13)) & 255;
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(root, "img", "S", `${i}.png`));
    images.push(`S/${i}.png`);
  }
  const labels = new Int8Array(N * 2);
  for (let i = 0; i < N; i++) labels.set([i % 2, i % 3 === 0 ? -1 : 1], i * 2);
  ds = new AuDataset({ dataset: "DISFA", imgRoot: join(root, "img"), images, labels, numAus: 2 });
});

async function collect(loader: DataLoader, epoch: number): Promise<{ views: Float32Array[]; labels: Float32Array; indices: number[]; shape: number[] }[]> {
  const out = [];
  for await (const b of loader.epoch(epoch)) out.push(copy(b));
  return out;
}
function copy(b: Batch) {
  return { views: b.views.map((v) => v.slice()), labels: b.labels.slice(), indices: Array.from(b.indices), shape: [...b.shape] };
}

describe("DataLoader", () => {
  const loaders: DataLoader[] = [];
  const make = (o: Partial<ConstructorParameters<typeof DataLoader>[1]>) => {
    const l = new DataLoader(ds, { batchSize: 4, mode: "train", augment, ...o });
    loaders.push(l);
    return l;
  };
  after(async () => {
    for (const l of loaders) await l.close();
  });

  it("resumes an epoch at a batch with the batches an uninterrupted epoch gives from there", async () => {
    const full = await collect(make({ workers: 0, prefetch: 1 }), 2);
    const resumed: ReturnType<typeof copy>[] = [];
    for await (const b of make({ workers: 0, prefetch: 1 }).epoch(2, 1)) resumed.push(copy(b));
    assert.equal(resumed.length, full.length - 1);
    assert.deepEqual(resumed, full.slice(1));
    await assert.rejects(make({ workers: 0 }).epoch(0, -1).next(), /startBatch must be a non-negative integer/);
  });

  it("gives the same batches for any worker count and prefetch depth", async () => {
    const a = await collect(make({ workers: 0, prefetch: 0 }), 3);
    const b = await collect(make({ workers: 2, prefetch: 3 }), 3);
    assert.equal(a.length, 3);
    assert.deepEqual(a.map((x) => x.shape), [[4, 3, CROP, CROP], [4, 3, CROP, CROP], [3, 3, CROP, CROP]]);
    assert.deepEqual(b, a);
  });

  it("shuffles per epoch from the seed, covering every sample once", async () => {
    const l = make({ workers: 0 });
    const e0 = (await collect(l, 0)).flatMap((x) => x.indices);
    const e1 = (await collect(l, 1)).flatMap((x) => x.indices);
    assert.deepEqual([...e0].sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
    assert.notDeepEqual(e0, e1);
    assert.deepEqual(make({ workers: 0, seed: 3407 }).order(0), e0);
    assert.notDeepEqual(make({ workers: 0, seed: 1 }).order(0), e0);
  });

  it("renders two independent views equal to augmentView with the keyed parameters, and the labels", async () => {
    const l = make({ workers: 1, seed: 9 });
    const [first] = await collect(l, 2);
    const idx = first.indices[1];
    const img = await decodeRgb(ds.path(idx));
    const per = 3 * CROP * CROP;
    for (let v = 0; v < 2; v++) {
      const p = sampleAugmentParams(viewRng(9, 2, idx, v), H, W, { ...DEFAULT_AUGMENT, ...augment });
      const want = new Float32Array(per);
      augmentView(img, p, CROP, want);
      assert.deepEqual(first.views[v].subarray(per, 2 * per), want);
    }
    assert.notDeepEqual(first.views[0].subarray(0, per), first.views[1].subarray(0, per));
    assert.deepEqual(Array.from(first.labels.subarray(2, 4)), Array.from(ds.labelsOf(idx)));
  });

  it("test mode: one centre-cropped view, in order; dropLast drops the partial batch", async () => {
    const l = make({ mode: "test", workers: 1, dropLast: true });
    const batches = await collect(l, 0);
    assert.equal(batches.length, 2);
    assert.deepEqual(batches.flatMap((b) => b.indices), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(batches[0].views.length, 1);
    const want = new Float32Array(3 * CROP * CROP);
    testView(await decodeRgb(ds.path(5)), CROP, want);
    assert.deepEqual(batches[1].views[0].subarray(3 * CROP * CROP, 6 * CROP * CROP), want);
  });

  it("survives an early break and iterates again", async () => {
    const l = make({ workers: 2, prefetch: 2 });
    for await (const b of l.epoch(0)) {
      assert.equal(b.batch, 0);
      break;
    }
    assert.equal((await collect(l, 0)).length, 3);
  });

  it("names the image that fails to decode", async () => {
    const broken = new AuDataset({ dataset: "DISFA", imgRoot: "/nonexistent", images: ["S/0.png"], labels: new Int8Array(2), numAus: 2 });
    const l = new DataLoader(broken, { batchSize: 1, mode: "train", augment, workers: 1 });
    loaders.push(l);
    await assert.rejects(collect(l, 0), /cannot decode image \/nonexistent\/S\/0\.png/);
  });
});

describe("DataLoader errors in prefetched batches", () => {
  it("raises a later batch's decode error when that batch is reached, without an unhandled rejection", async () => {
    const images = Array.from({ length: 6 }, (_, i) => (i === 4 ? "S/missing.png" : `S/${i}.png`));
    const root = ds.path(0).replace(/[/\\]S[/\\]0\.png$/, "");
    const bad = new AuDataset({ dataset: "DISFA", imgRoot: root, images, labels: new Int8Array(12), numAus: 2 });
    const l = new DataLoader(bad, { batchSize: 2, mode: "test", augment, workers: 1, prefetch: 2 });
    const seen: number[] = [];
    try {
      await assert.rejects(
        (async () => {
          for await (const b of l.epoch(0)) {
            seen.push(b.batch);
            await new Promise((r) => setTimeout(r, 150)); // let the prefetched failure land first
          }
        })(),
        /S[/\\]missing\.png/,
      );
      assert.deepEqual(seen, [0, 1]);
    } finally {
      await l.close();
    }
  });
});
