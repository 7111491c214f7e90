import { after, test } from "node:test";
import assert from "node:assert/strict";
import { FaceLandmark68Net, landmarkCrop } from "../../src/face/landmarks.ts";
import { decodeImage } from "../../src/face/image.ts";
import { liveTensors } from "../../src/tensor/index.ts";
import { SsdMobilenetV1 } from "../../src/face/detect.ts";
import { faceApiReference, fx, loadPadded, synthFaces } from "./helpers.ts";
import { LANDMARK68_MIRROR } from "../../src/face/geometry/landmark-input.ts";

const lm = FaceLandmark68Net.load();
after(() => lm.dispose());

test("landmark port reproduces face-api's 68 points on real photos (given face-api's boxes)", async () => {
  const ref = faceApiReference();
  for (const im of ref.images) {
    const img = await decodeImage(fx(im.file.split("/").pop()!));
    const boxes = im.faces.map((f) => ({ x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3], score: f.score }));
    const before = liveTensors();
    const pts = lm.detect(img, boxes);
    assert.equal(liveTensors(), before);
    pts.forEach((p, f) => {
      // We shift by the crop origin; face-api by the unfloored box corner (documented difference).
      const c = landmarkCrop(boxes[f], img.width, img.height);
      const dx = c.x - boxes[f].x, dy = c.y - boxes[f].y;
      let worst = 0;
      for (let i = 0; i < 68; i++) {
        const [rx, ry] = im.faces[f].landmarks[i];
        worst = Math.max(worst, Math.hypot(p[2 * i] - (rx + dx), p[2 * i + 1] - (ry + dy)));
      }
      assert.ok(worst < 0.1, `${im.file} face ${f}: worst point ${worst.toFixed(3)} px from face-api's`);
    });
  }
});

test("landmarks on SynthAU renders land near the known points (NME < 8% of the outer-eye distance)", async () => {
  const det = SsdMobilenetV1.load();
  try {
    for (const s of synthFaces()) {
      const pad = 96;
      const img = await loadPadded(s.file, pad);
      const [box] = det.detect(img);
      const [p] = lm.detect(img, [box]);
      // Brows, nose, eyes, mouth (17..67): SynthAU's jaw points are fixed mesh vertices, not contours.
      let sum = 0;
      for (let i = 17; i < 68; i++) sum += Math.hypot(p[2 * i] - pad - s.landmarks[2 * i], p[2 * i + 1] - pad - s.landmarks[2 * i + 1]);
      const iod = Math.hypot(s.landmarks[72] - s.landmarks[90], s.landmarks[73] - s.landmarks[91]);
      const nme = sum / 51 / iod;
      assert.ok(nme < 0.08, `${s.file}: NME ${nme.toFixed(3)}`);
    }
  } finally {
    det.dispose();
  }
});

test("landmarkCrop clips to the image and floors", () => {
  assert.deepEqual(landmarkCrop({ x: -5.5, y: 10.7, width: 50, height: 200, score: 1 }, 100, 120), { x: 0, y: 10, w: 44, h: 109 });
});

test("symmetric landmarks: a mirrored photo gets the mirror of the photo's points (the plain net does not)", async () => {
  const img = await decodeImage(fx("group.jpg"));
  const W = img.width;
  const flipped = { width: W, height: img.height, data: new Uint8Array(img.data.length) };
  for (let y = 0; y < img.height; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) flipped.data[(y * W + x) * 3 + c] = img.data[(y * W + W - 1 - x) * 3 + c];
  // An integer, 112-px box (scale 1): its mirror box crops exactly the mirrored pixels.
  const ref = faceApiReference().images.find((im) => im.file.endsWith("group.jpg"))!;
  const [bx, by, bw, bh] = ref.faces[0].box;
  const cx = Math.round(bx + bw / 2), cy = Math.round(by + bh / 2);
  const box = { x: cx - 56, y: cy - 56, width: 112, height: 112, score: 1 };
  const mbox = { ...box, x: W - box.x - box.width };
  const worst = (symmetric: boolean) => {
    const before = liveTensors();
    const [p] = lm.detect(img, [box], undefined, symmetric);
    const [q] = lm.detect(flipped, [mbox], undefined, symmetric);
    assert.equal(liveTensors(), before);
    let w = 0;
    for (let i = 0; i < 68; i++) {
      const j = LANDMARK68_MIRROR[i];
      w = Math.max(w, Math.hypot(p[2 * i] - (W - 1 - q[2 * j]), p[2 * i + 1] - q[2 * j + 1]));
    }
    return w;
  };
  const plain = worst(false), sym = worst(true);
  assert.ok(sym < 1e-3, `symmetric: worst point ${sym} px from the mirror`);
  assert.ok(plain > 0.1, `plain: worst point ${plain} px (the check must be able to fail)`);
});
