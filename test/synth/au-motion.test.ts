// Each AU moves the 68 landmarks the way FACS describes (model frame: +x subject's left, +y up, +z forward).
import assert from "node:assert/strict";
import test from "node:test";
import { createAuMapper, type AuState } from "../../src/synth/au-map.ts";
import { loadFaceKit } from "../../src/synth/facekit.ts";
import { applyGaze, blendExpression, buildIdentity, landmarks3d } from "../../src/synth/mesh.ts";

const kit = loadFaceKit();
const mapper = createAuMapper(kit);
const id = buildIdentity(kit, new Array(30).fill(0));

/** Landmarks [68][3] for AU intensities (au -> [intensity, left, right]). */
function lms(aus: Record<number, number | [number, number, number]>): number[][] {
  const m = new Map<number, AuState>();
  for (const [au, v] of Object.entries(aus)) {
    const [intensity, left, right] = Array.isArray(v) ? v : [v, 1, 1];
    m.set(Number(au), { intensity, left, right });
  }
  const pos = blendExpression(kit, id, mapper.weights(m), new Float32Array(kit.numVertices * 3));
  const l = landmarks3d(kit, pos);
  return Array.from({ length: 68 }, (_, i) => [l[i * 3], l[i * 3 + 1], l[i * 3 + 2]]);
}
const neutral = lms({});
const d = (a: number[][], i: number, axis: 0 | 1 | 2) => a[i][axis] - neutral[i][axis];
const innerLipGap = (a: number[][]) => a[62][1] - a[66][1];

test("AU12 pulls the lip corners up and out", () => {
  const a = lms({ 12: 5 });
  for (const [i, out] of [[48, -1], [54, 1]] as const) {
    assert.ok(d(a, i, 1) > 0.4, `corner ${i} rises ${d(a, i, 1)}`);
    assert.ok(out * d(a, i, 0) > 0.3, `corner ${i} moves out ${d(a, i, 0)}`);
  }
});

test("AU1 raises the inner brows more than the outer brows", () => {
  const a = lms({ 1: 5 });
  for (const [inner, outer] of [[21, 17], [22, 26]]) {
    assert.ok(d(a, inner, 1) > 0.3, `inner brow ${inner} up ${d(a, inner, 1)}`);
    assert.ok(d(a, inner, 1) > 2 * d(a, outer, 1), "inner rises more than outer");
  }
});

test("AU2 raises the outer brows", () => {
  const a = lms({ 2: 5 });
  for (const outer of [17, 26]) assert.ok(d(a, outer, 1) > 0.2, `outer brow ${outer} up ${d(a, outer, 1)}`);
});

test("AU4 lowers the brows and draws them together", () => {
  const a = lms({ 4: 5 });
  for (const i of [21, 22]) assert.ok(d(a, i, 1) < -0.2, `brow ${i} down ${d(a, i, 1)}`);
  const gap = (x: number[][]) => x[22][0] - x[21][0];
  assert.ok(gap(a) < gap(neutral) - 0.1, `inner brows closer: ${gap(neutral)} -> ${gap(a)}`);
});

test("AU6 and AU7 raise the lower lids", () => {
  for (const au of [6, 7]) {
    const a = lms({ [au]: 5 });
    for (const i of [40, 41, 46, 47]) assert.ok(d(a, i, 1) > 0.05, `AU${au}: lower lid ${i} up ${d(a, i, 1)}`);
  }
});

test("AU9 lifts the nose wings; AU10 lifts the upper lip", () => {
  const a9 = lms({ 9: 5 });
  for (const i of [31, 35]) assert.ok(d(a9, i, 1) > 0.1, `AU9 nose wing ${i} up ${d(a9, i, 1)}`);
  const a10 = lms({ 10: 5 });
  for (const i of [50, 51, 52]) assert.ok(d(a10, i, 1) > 0.15, `AU10 upper lip ${i} up ${d(a10, i, 1)}`);
});

test("AU14 pulls the corners back; AU15 pulls them down", () => {
  const a14 = lms({ 14: 5 });
  for (const i of [48, 54]) assert.ok(d(a14, i, 2) < -0.1, `AU14 corner ${i} back ${d(a14, i, 2)}`);
  const a15 = lms({ 15: 5 });
  for (const i of [48, 54]) assert.ok(d(a15, i, 1) < -0.2, `AU15 corner ${i} down ${d(a15, i, 1)}`);
});

test("AU17 pushes the chin and lower lip up", () => {
  const a = lms({ 17: 5 });
  assert.ok(d(a, 8, 1) > 0.1, `chin up ${d(a, 8, 1)}`);
  assert.ok(d(a, 57, 1) > 0.1, `lower lip up ${d(a, 57, 1)}`);
});

test("AU23 thins the red of the lips; AU24 presses the lower lip up", () => {
  const height = (x: number[][]) => x[51][1] - x[57][1];
  const a23 = lms({ 23: 5 });
  assert.ok(height(a23) < height(neutral) - 0.2, `red-lip height ${height(neutral)} -> ${height(a23)}`);
  const a24 = lms({ 24: 5 });
  assert.ok(d(a24, 57, 1) > 0.1, `AU24 lower lip up ${d(a24, 57, 1)}`);
});

test("AU25 parts the lips without a large jaw drop", () => {
  const a = lms({ 25: 5 });
  assert.ok(innerLipGap(a) > innerLipGap(neutral) + 0.4, `inner-lip gap ${innerLipGap(neutral)} -> ${innerLipGap(a)}`);
  assert.ok(d(a, 8, 1) > -0.6, "chin drops only a little");
});

test("AU26 drops the jaw; without AU25 the lips stay together (row 26_closed)", () => {
  const closed = lms({ 26: 5 });
  assert.ok(d(closed, 8, 1) < -0.6, `chin down ${d(closed, 8, 1)}`);
  assert.ok(innerLipGap(closed) < 0.25, `lips together: gap ${innerLipGap(closed)}`);
  const open = lms({ 25: 5, 26: 5 });
  assert.ok(d(open, 8, 1) < -0.6, "chin down with AU25");
  assert.ok(innerLipGap(open) > 0.8, `lips apart with AU25: gap ${innerLipGap(open)}`);
});

test("AU45 closes the eyes", () => {
  const a = lms({ 45: 5 });
  const open = (x: number[][]) => x[37][1] - x[41][1] + x[44][1] - x[46][1];
  assert.ok(open(neutral) > 0.5, "eyes open at rest");
  assert.ok(open(a) < 0.15 * open(neutral), `lids meet: ${open(neutral)} -> ${open(a)}`);
});

test("intensity scales motion (intensity/5 rule) and a one-sided AU moves one side", () => {
  const full = d(lms({ 12: 5 }), 54, 1), half = d(lms({ 12: 2.5 }), 54, 1);
  assert.ok(Math.abs(half - full / 2) < 0.02 * Math.abs(full) + 1e-3, `linear: ${half} vs ${full / 2}`);
  const left = lms({ 12: [5, 1, 0] });
  assert.ok(d(left, 54, 1) > 0.4, "subject's left corner (54) rises");
  assert.ok(Math.abs(d(left, 48, 1)) < 0.05, "right corner (48) stays");
});

test("gaze rotates the eyeballs about their centres", () => {
  const pos = Float32Array.from(id.positions);
  applyGaze(id, pos, 0.3, 0);
  const v = id.eyeVertices[1].find((i) => kit.vertexPart[i] === 7 || kit.vertexPart[i] === 6)!;
  assert.ok(pos[v * 3] - id.positions[v * 3] > 0.1, "iris moves toward +x for positive yaw");
  const c = id.eyeCentres[1];
  const r0 = Math.hypot(id.positions[v * 3] - c[0], id.positions[v * 3 + 1] - c[1], id.positions[v * 3 + 2] - c[2]);
  const r1 = Math.hypot(pos[v * 3] - c[0], pos[v * 3 + 1] - c[1], pos[v * 3 + 2] - c[2]);
  assert.ok(Math.abs(r0 - r1) < 1e-4, "distance to the centre is kept");
  assert.ok(c[2] < id.positions[v * 3 + 2] - 0.5, "centre lies behind the iris");
});
