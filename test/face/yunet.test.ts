import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { decodeYunet } from "../../src/face/geometry/yunet-decode.ts";
import { decodeImage, type RgbImage } from "../../src/face/image.ts";
import { YuNet, yunetModelPath } from "../../src/face/yunet.ts";
import { readOnnx } from "../../src/models/checkpoint/onnx.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { fx, synthFaces, loadPadded } from "./helpers.ts";

interface RefCand { stride: number; index: number; score: number; box: number[]; points: number[] }
interface RefImage { file: string; width: number; height: number; inputWidth: number; inputHeight: number; strides: { stride: number; n: number; meanCls: number; meanObj: number }[]; candidates: RefCand[] }
const ref = JSON.parse(readFileSync(fx("yunet/reference.json"), "utf8")) as { minScore: number; images: RefImage[] };

const net = YuNet.load();
after(() => net.dispose());

test("YuNet on the engine matches onnxruntime on real photos: maps, candidates (scores 1e-4, boxes and points 1e-2 px)", async () => {
  for (const im of ref.images) {
    const img = await decodeImage(fx(`yunet/${im.file}`));
    assert.deepEqual([img.width, img.height], [im.width, im.height]);
    const before = liveTensors();
    const x = net.preprocess([img], { scale: 1, width: img.width, height: img.height, inputWidth: im.inputWidth, inputHeight: im.inputHeight });
    const out = YuNet.toArrays(net.forwardRaw(x))[0];
    x.dispose();
    assert.equal(liveTensors(), before, "no tensors left behind");
    im.strides.forEach((s, k) => {
      assert.equal(out[k].cls.length, s.n, `${im.file} stride ${s.stride}: priors`);
      const mean = (a: Float32Array) => a.reduce((p, v) => p + v, 0) / a.length;
      assert.ok(Math.abs(mean(out[k].cls) - s.meanCls) < 1e-5 && Math.abs(mean(out[k].obj) - s.meanObj) < 1e-5, `${im.file} stride ${s.stride}: mean cls/obj`);
    });
    const cands = decodeYunet(out, im.inputWidth, im.inputHeight, ref.minScore);
    assert.equal(cands.length, im.candidates.length, `${im.file}: candidates >= ${ref.minScore}`);
    cands.forEach((c, i) => {
      const r = im.candidates[i];
      assert.ok(Math.abs(c.score - r.score) < 1e-4, `${im.file} #${i}: score ${c.score} vs ${r.score}`);
      [c.x, c.y, c.width, c.height].forEach((v, k) => assert.ok(Math.abs(v - r.box[k]) < 1e-2, `${im.file} #${i}: box[${k}] ${v} vs ${r.box[k]}`));
      c.points.forEach((v, k) => assert.ok(Math.abs(v - r.points[k]) < 1e-2, `${im.file} #${i}: point value ${k} ${v} vs ${r.points[k]}`));
    });
  }
});

test("YuNet.detect finds every face of the group photos once, with eyes inside their boxes", async () => {
  const want: Record<string, number> = { "group_320.png": 4, "group2_300.png": 3, "sample2_320.png": 3, "sample5_352.png": 5 };
  for (const im of ref.images) {
    const img = await decodeImage(fx(`yunet/${im.file}`));
    const faces = net.detect(img);
    assert.equal(faces.length, want[im.file], `${im.file}: faces`);
    for (const f of faces) {
      assert.ok(f.score >= 0.6 && f.score <= 1);
      for (const p of [0, 1]) {
        const px = f.points[2 * p], py = f.points[2 * p + 1];
        assert.ok(px > f.x && px < f.x + f.width && py > f.y && py < f.y + f.height, `${im.file}: eye ${p} outside its box`);
      }
      // The first point is the subject's right eye: on the image's left in these frontal faces.
      assert.ok(f.points[0] < f.points[2]);
    }
  }
});

test("YuNet finds all 15 faces of the four face-api demo photos (head turns, tilts, hair, dim light)", async () => {
  // Measured at default settings: scores 0.87-0.93, faces 55-69 px wide.
  for (const [file, n] of [["sample1.jpg", 3], ["sample2.jpg", 3], ["sample4.jpg", 4], ["sample5.jpg", 5]] as const) {
    const faces = net.detect(await decodeImage(fx(file)));
    assert.equal(faces.length, n, `${file}: faces`);
    assert.ok(faces.every((f) => f.score > 0.8), `${file}: scores ${faces.map((f) => f.score.toFixed(2))}`);
  }
});

test("YuNet: a batch gives each frame's own result; a large image is scaled and its boxes mapped back", async () => {
  const img = await decodeImage(fx("yunet/group2_300.png"));
  const mirrored: RgbImage = { width: img.width, height: img.height, data: new Uint8Array(img.data.length) };
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) for (let c = 0; c < 3; c++) mirrored.data[(y * img.width + x) * 3 + c] = img.data[(y * img.width + img.width - 1 - x) * 3 + c];
  const single = [net.detect(img), net.detect(mirrored)];
  const batch = net.detectBatch([img, mirrored]);
  batch.forEach((faces, b) => {
    assert.equal(faces.length, single[b].length);
    faces.forEach((f, i) => {
      assert.ok(Math.abs(f.score - single[b][i].score) < 1e-5);
      assert.ok(Math.abs(f.x - single[b][i].x) < 1e-3 && Math.abs(f.width - single[b][i].width) < 1e-3);
    });
  });
  // The same photo at a detector size of 160: scaled by 160/300, boxes back in full-image pixels.
  const small = net.detect(img, { detectorSize: 160, scoreThreshold: 0.5 });
  assert.ok(small.length >= 2, `found ${small.length} faces at 160 px`);
  for (const f of small) {
    const best = Math.max(...single[0].map((g) => {
      const ix = Math.max(0, Math.min(f.x + f.width, g.x + g.width) - Math.max(f.x, g.x)), iy = Math.max(0, Math.min(f.y + f.height, g.y + g.height) - Math.max(f.y, g.y));
      return (ix * iy) / (f.width * f.height + g.width * g.height - ix * iy);
    }));
    assert.ok(best > 0.5, `a 160-px face matches a full-size one (IoU ${best})`);
  }
  assert.throws(() => net.detectBatch([img, { width: 10, height: 10, data: new Uint8Array(300) }]), /frames must share one size, got 300x211 and 10x10/);
  assert.deepEqual(net.detect({ width: 1, height: 1, data: new Uint8Array(3) }), []);
  assert.throws(() => net.detect(img, { scoreThreshold: 2 }), /YuNet.detect: scoreThreshold must be a number between 0 and 1, got 2/);
});

test("YuNet finds the face in SynthAU renders, its 5 points near the known landmarks", async () => {
  for (const s of synthFaces()) {
    const pad = 48;
    const img = await loadPadded(s.file, pad);
    const faces = net.detect(img);
    assert.equal(faces.length, 1, `${s.file}: one face`);
    const L = s.landmarks.map((v) => v + pad);
    const eye = (a: number) => [0, 1].map((c) => [0, 1, 2, 3, 4, 5].reduce((p, k) => p + L[2 * (a + k) + c], 0) / 6);
    const want = [...eye(36), ...eye(42), L[60], L[61], L[96], L[97], L[108], L[109]];
    const iod = Math.hypot(want[2] - want[0], want[3] - want[1]);
    for (let p = 0; p < 5; p++) {
      const err = Math.hypot(faces[0].points[2 * p] - want[2 * p], faces[0].points[2 * p + 1] - want[2 * p + 1]) / iod;
      assert.ok(err < 0.25, `${s.file}: point ${p} off by ${err.toFixed(3)} inter-ocular distances`);
    }
  }
});

test("YuNet refuses graphs of another structure and bad inputs, naming them", () => {
  assert.throws(() => YuNet.load("/nonexistent/yunet.onnx"), /\/nonexistent\/yunet.onnx: no such file/);
  assert.throws(() => net.forwardRaw({ shape: [1, 3, 50, 64] } as never), /expected \[B,3,H,W\] with H and W multiples of 32, got \[1,3,50,64\]/);
});

test("YuNet refuses a graph whose convs do not follow its structure, naming the node", async () => {
  const g = await readOnnx(yunetModelPath());
  g.nodes[0].attributes.set("strides", [1, 1]);
  assert.throws(() => new YuNet(g, "channels_last", "edited.onnx"), /edited.onnx: not a YuNet graph: Conv 'Conv_0' is 3x3 stride \[1,1\] pads \[1,1,1,1\] group 1 weight \[16,3,3,3\], expected 3x3 stride 2/);
  // A mismatch deep in the graph: the convs built before it are freed.
  g.nodes[0].attributes.set("strides", [2, 2]);
  g.nodes.find((n) => n.name === "Conv_30")!.attributes.set("group", 1);
  const live = liveTensors();
  assert.throws(() => new YuNet(g, "channels_last", "edited.onnx"), /Conv 'Conv_30' is 3x3 .* group 1 weight \[64,1,3,3\], expected 3x3 stride 1 pad 1 group 64 on 64 channels/);
  assert.equal(liveTensors(), live);
  g.nodes.push({ ...g.nodes[1], opType: "Softmax", name: "extra" });
  assert.throws(() => new YuNet(g, "channels_last", "edited.onnx"), /edited.onnx: unsupported ONNX ops Softmax \(x1\)/);
});

test("YuNet keeps small faces: 12 px faces in a 640x480 frame, and in a 1280x960 frame scaled to 640", async () => {
  for (const [W, H, s] of [[640, 480, 0.2], [1280, 960, 0.4]] as const) {
    const small = await sharp(fx("group.jpg")).resize(Math.round(640 * s)).toBuffer();
    const { data, info } = await sharp({ create: { width: W, height: H, channels: 3, background: "#808080" } }).composite([{ input: small, left: 20, top: 20 }]).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const faces = net.detect({ width: info.width, height: info.height, data: new Uint8Array(data) });
    assert.equal(faces.length, 4, `${W}x${H}: the group photo's 4 faces`);
    // Measured: the smallest 11.8 px wide in the detector's input, scores 0.85-0.89.
    const minW = Math.min(...faces.map((f) => f.width)) * (640 / W);
    assert.ok(minW < 14, `smallest face ${minW.toFixed(1)} px at detector size`);
  }
});
