// The GPU benchmark's fold projection (bench/gpu.ts): steps per epoch from the frame count, each
// step waiting for the slower of the device and the loader, and which of the two bounds the run.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { projectFold } from "../../bench/gpu.ts";

describe("projectFold", () => {
  it("is bound by the training step when the loader keeps up", () => {
    const p = projectFold(400, 200, 32); // loader: 32 images at 200/s = 160 ms per batch
    assert.equal(p.stepsPerEpoch, 3062); // floor(98,000 / 32)
    assert.equal(p.epochs, 60);
    assert.equal(p.loaderMsPerStep, 160);
    assert.equal(p.boundBy, "training step");
    assert.ok(Math.abs(p.hours - (400 * 3062 * 60) / 3.6e6) < 1e-9);
  });
  it("is bound by the data loader when it is slower than the step", () => {
    const p = projectFold(100, 100, 32, 64_000, 10); // loader 320 ms per batch
    assert.equal(p.stepsPerEpoch, 2000);
    assert.equal(p.boundBy, "data loader");
    assert.ok(Math.abs(p.hours - (320 * 2000 * 10) / 3.6e6) < 1e-9);
  });
});
