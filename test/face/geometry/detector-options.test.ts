import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_DETECTOR, DETECTOR_DEFAULTS, resolveDetectorOptions } from "../../../src/face/geometry/detector-options.ts";

test("resolveDetectorOptions: defaults per detector, overrides kept", () => {
  assert.equal(DEFAULT_DETECTOR, "yunet");
  assert.deepEqual(resolveDetectorOptions(), { detector: "yunet", scoreThreshold: 0.6, nmsThreshold: 0.3, maxFaces: 100, detectorSize: 640 });
  assert.deepEqual(resolveDetectorOptions({ detector: "ssd" }), DETECTOR_DEFAULTS.ssd);
  assert.deepEqual(resolveDetectorOptions({ scoreThreshold: 0.4, nmsThreshold: 0.45, maxFaces: 3, detectorSize: 320 }), { detector: "yunet", scoreThreshold: 0.4, nmsThreshold: 0.45, maxFaces: 3, detectorSize: 320 });
});

test("resolveDetectorOptions: errors name the option, the range and the value", () => {
  const bad: [object, RegExp][] = [
    [{ detector: "mtcnn" }, /api: detector must be one of yunet, ssd, got "mtcnn"/],
    [{ scoreThreshold: 0 }, /scoreThreshold must be a number between 0 and 1, got 0/],
    [{ scoreThreshold: "0.5" }, /scoreThreshold must be a number between 0 and 1, got "0.5"/],
    [{ nmsThreshold: 1.2 }, /nmsThreshold must be a number in \(0, 1\], got 1.2/],
    [{ maxFaces: 2.5 }, /maxFaces must be a whole number >= 1, got 2.5/],
    [{ detectorSize: 16 }, /detectorSize must be a whole number >= 32, got 16/],
  ];
  for (const [o, re] of bad) assert.throws(() => resolveDetectorOptions(o as never, "api"), re);
});
