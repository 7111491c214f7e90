import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/data/rng.ts";
import { DEFAULT_AUGMENT, sampleAugmentParams } from "../../src/data/transforms/params.ts";

describe("keyed RNG", () => {
  it("is a function of its key only", () => {
    const a = new Rng(3407, 1, 42, 0);
    const b = new Rng(3407, 1, 42, 0);
    const xs = Array.from({ length: 50 }, () => a.nextU32());
    assert.deepEqual(xs, Array.from({ length: 50 }, () => b.nextU32()));
    assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, (_, __, r = new Rng(3407, 1, 42, 1)) => r.nextU32()));
    const c = new Rng(3407, 1, 43, 0);
    assert.notEqual(c.nextU32(), new Rng(3407, 1, 42, 0).nextU32());
  });
  it("gives roughly uniform floats in [0,1) and valid permutations", () => {
    const r = new Rng(1);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      assert.ok(v >= 0 && v < 1);
      sum += v;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    const p = r.permutation(10);
    assert.deepEqual([...p].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("augmentation parameters (spec §5 distributions)", () => {
  it("draw crops, flips, jitter, grayscale and blur at the configured rates and ranges", () => {
    const n = 4000;
    let flips = 0;
    let jit = 0;
    let gray = 0;
    const tops = new Set<number>();
    for (let i = 0; i < n; i++) {
      const p = sampleAugmentParams(new Rng(7, 0, i, 0), 256, 256);
      assert.ok(p.top >= 0 && p.top <= 32 && p.left >= 0 && p.left <= 32);
      tops.add(p.top);
      if (p.flip) flips++;
      if (p.grayscale) gray++;
      assert.ok(p.blurSigma! >= 0.1 && p.blurSigma! < 2.0);
      if (p.jitter) {
        jit++;
        assert.deepEqual([...p.jitter.order].sort(), [0, 1, 2, 3]);
        for (const f of [p.jitter.brightness!, p.jitter.contrast!, p.jitter.saturation!]) assert.ok(f >= 0.6 && f < 1.4);
        assert.ok(Math.abs(p.jitter.hue!) <= 0.1);
      }
    }
    assert.equal(tops.size, 33);
    assert.ok(Math.abs(flips / n - DEFAULT_AUGMENT.flipP) < 0.03);
    assert.ok(Math.abs(jit / n - DEFAULT_AUGMENT.jitterP) < 0.03);
    assert.ok(Math.abs(gray / n - DEFAULT_AUGMENT.grayscaleP) < 0.03);
  });
  it("rejects images smaller than the crop", () => {
    assert.throws(() => sampleAugmentParams(new Rng(1), 200, 256), /200 is smaller than the 224 crop/);
  });
});
