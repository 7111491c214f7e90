import { test } from "node:test";
import assert from "node:assert/strict";
import { faceBoxFromLandmarks, FOREHEAD, HARD_CONDITIONS, hardFaceImage, hardFaceSet } from "../../src/synth/hard-faces.ts";
import { FaceRenderer } from "../../src/synth/render.ts";

const renderer = new FaceRenderer();
const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;

test("faceBoxFromLandmarks: the landmarks' box with the forehead added above", () => {
  const b = faceBoxFromLandmarks([10, 20, 30, 20, 20, 70]);
  assert.deepEqual(b, { x: 10, y: 20 - FOREHEAD * 50, width: 20, height: 50 * (1 + FOREHEAD) });
});

test("hard faces: reproducible per (seed, condition, index), one face box inside the scene, none without a face", () => {
  for (const c of HARD_CONDITIONS) {
    const a = hardFaceImage(c, 3, { seed: 5 }, renderer);
    const b = hardFaceImage(c, 3, { seed: 5 }, renderer);
    assert.deepEqual([a.width, a.height, a.rgb.length], [320, 320, 320 * 320 * 3]);
    assert.ok(Buffer.from(a.rgb).equals(Buffer.from(b.rgb)), `${c}: same pixels twice`);
    assert.deepEqual(a.faces, b.faces);
    assert.ok(!Buffer.from(a.rgb).equals(Buffer.from(hardFaceImage(c, 4, { seed: 5 }, renderer).rgb)), `${c}: another index differs`);
    if (c === "noface") {
      assert.equal(a.faces.length, 0);
      continue;
    }
    assert.equal(a.faces.length, 1);
    const f = a.faces[0];
    assert.ok(f.x > -2 && f.y > -2 && f.x + f.width < 322 && f.y + f.height < 322, `${c}: box ${JSON.stringify(f)} inside`);
  }
  // Another seed, another scene.
  assert.ok(!Buffer.from(hardFaceImage("frontal", 0, { seed: 1 }, renderer).rgb).equals(Buffer.from(hardFaceImage("frontal", 0, { seed: 2 }, renderer).rgb)));
});

test("hard faces: each condition is what it says", () => {
  const set = [...hardFaceSet(4, { seed: 2, conditions: ["frontal", "yaw75", "roll", "tiny", "grey", "dark", "bright", "occluded"] })];
  const of = (c: string) => set.filter((s) => s.condition === c);
  assert.equal(set.length, 32);
  for (const s of of("frontal")) assert.ok(Math.abs(s.pose!.yaw) < 20 && s.faces[0].height >= 80, "frontal: near-frontal, large");
  for (const s of of("yaw75")) assert.ok(Math.abs(s.pose!.yaw) >= 55 && Math.abs(s.pose!.yaw) <= 75);
  for (const s of of("roll")) assert.ok(Math.abs(s.pose!.roll) >= 25 && Math.abs(s.pose!.roll) <= 45);
  for (const s of of("tiny")) {
    const side = Math.max(s.faces[0].width, s.faces[0].height);
    assert.ok(side >= 20 && side <= 52, `tiny: face ${side.toFixed(1)} px`);
  }
  for (const s of of("grey")) for (let i = 0; i < s.rgb.length; i += 3) assert.ok(s.rgb[i] === s.rgb[i + 1] && s.rgb[i] === s.rgb[i + 2]);
  const dark = Math.max(...of("dark").map((s) => mean(s.rgb))), bright = Math.min(...of("bright").map((s) => mean(s.rgb)));
  const normal = of("frontal").map((s) => mean(s.rgb));
  const avg = normal.reduce((a, b) => a + b, 0) / normal.length;
  assert.ok(dark < 0.6 * avg && bright > 1.3 * avg, `brightest dark scene ${dark.toFixed(0)}, mean frontal ${avg.toFixed(0)}, darkest bright scene ${bright.toFixed(0)}`);
});

test("hard faces: bad arguments are named", () => {
  assert.throws(() => hardFaceImage("sideways" as never, 0), /condition must be one of frontal/);
  assert.throws(() => hardFaceImage("frontal", -1), /index must be a whole number/);
  assert.throws(() => hardFaceImage("frontal", 0, { size: 10 }), /size must be a whole number >= 64/);
});
