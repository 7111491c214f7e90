import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { gaussianKernel1d } from "../../src/data/transforms/blur.ts";
import { decodeRgb } from "../../src/data/transforms/decode.ts";
import { centreCropOffset } from "../../src/data/transforms/geometry.ts";
import type { AugmentParams } from "../../src/data/transforms/params.ts";
import { augmentView, testView } from "../../src/data/transforms/pipeline.ts";

// Golden outputs from torchvision 0.14 on the same fixed parameters: scripts/fixtures/augment.py.
const dir = fileURLToPath(new URL("../fixtures/data/", import.meta.url));
const meta = JSON.parse(readFileSync(dir + "augment-cases.json", "utf8")) as { size: number; cases: { name: string; params: AugmentParams | null }[] };
const raw = readFileSync(dir + "augment-expected.bin");
const expected = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
const S = meta.size;
const per = 3 * S * S;
const TOL = 1e-5;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("augmentations match torchvision 0.14 (tensor semantics) on fixed parameters", async () => {
  const img = await decodeRgb(dir + "augment-input.png");
  meta.cases.forEach((c, idx) => {
    it(`${c.name}`, () => {
      const out = new Float32Array(per);
      if (c.params) augmentView(img, c.params, S, out);
      else testView(img, S, out);
      const want = expected.subarray(idx * per, (idx + 1) * per);
      const diff = maxAbsDiff(out, want);
      assert.ok(diff < TOL, `max |ours - torchvision| = ${diff}`);
    });
  });

  it("the cases differ from each other (the comparison is not vacuous)", () => {
    const crop = expected.subarray(0, per);
    // blur-small (sigma 0.1) is an identity to ~1e-9 by design: the edge of the sigma range.
    for (let i = 1; i < meta.cases.length - 1; i++) if (meta.cases[i].name !== "blur-small") assert.ok(maxAbsDiff(crop, expected.subarray(i * per, (i + 1) * per)) > 1e-3, meta.cases[i].name);
  });
});

describe("decoding", () => {
  it("sharp decodes a JPEG to the same RGB bytes as PIL (the reference's decoder)", async () => {
    const img = await decodeRgb(dir + "decode-input.jpg");
    const want = readFileSync(dir + "decode-expected.bin");
    assert.equal(img.data.length, want.length);
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(img.data[i] - want[i]));
    assert.equal(diff, 0);
  });
});

describe("transform helpers", () => {
  it("gaussian kernel is symmetric, sums to 1, sharpens as sigma shrinks", () => {
    const k = gaussianKernel1d(3, 0.5);
    assert.ok(Math.abs(k[0] + k[1] + k[2] - 1) < 1e-6);
    assert.equal(k[0], k[2]);
    assert.ok(gaussianKernel1d(3, 0.1)[1] > 0.999);
  });
  it("centre crop of 256 to 224 starts at 16 (torchvision's round)", () => {
    assert.deepEqual(centreCropOffset(256, 256, 224), { top: 16, left: 16 });
    assert.deepEqual(centreCropOffset(36, 40, 28), { top: 4, left: 6 });
  });
});
