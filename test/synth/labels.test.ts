// Label model statistics (no rendering): base rates, co-occurrence, smoothness, noise, determinism.
import assert from "node:assert/strict";
import test from "node:test";
import { BP4D_AUS, DISFA_AUS, generateSequenceLabels, resolveLabelOptions, type LabelOptions, type SequenceLabels } from "../../src/synth/labels.ts";

/** Many independent sequences (distinct subjects) of one style. */
function sample(o: LabelOptions, subjects = 300, frames = 200, seed = 7): SequenceLabels[] {
  const r = resolveLabelOptions(o);
  return Array.from({ length: subjects }, (_, s) => generateSequenceLabels(r, seed, s, 0, frames));
}
const rate = (seqs: SequenceLabels[], au: number, field: "clean" | "noisy" = "clean") => {
  let n = 0, k = 0;
  for (const s of seqs) for (const v of s[field].get(au)!) { n++; k += v === 1 ? 1 : 0; }
  return k / n;
};
const both = (seqs: SequenceLabels[], a: number, b: number) => {
  let n = 0, k = 0;
  for (const s of seqs) {
    const x = s.clean.get(a)!, y = s.clean.get(b)!;
    for (let t = 0; t < x.length; t++) { n++; k += x[t] & y[t]; }
  }
  return k / n;
};

const bp4d = sample({ style: "bp4d" });

test("BP4D-style occurrence rates match the published-like defaults", () => {
  const want: Record<number, number> = { 1: 0.21, 2: 0.17, 4: 0.2, 6: 0.46, 7: 0.55, 10: 0.59, 12: 0.56, 14: 0.47, 15: 0.17, 17: 0.34, 23: 0.17, 24: 0.15 };
  for (const au of BP4D_AUS) {
    const got = rate(bp4d, au);
    assert.ok(Math.abs(got - want[au]) < 0.04, `AU${au}: rate ${got.toFixed(3)}, want ${want[au]}`);
  }
});

test("requested per-AU rates are honoured (class imbalance option)", () => {
  const seqs = sample({ style: "bp4d", rates: { 12: 0.1, 1: 0.6 } }, 200);
  assert.ok(Math.abs(rate(seqs, 12) - 0.1) < 0.03, `AU12 ${rate(seqs, 12)}`);
  assert.ok(Math.abs(rate(seqs, 1) - 0.6) < 0.05, `AU1 ${rate(seqs, 1)}`);
  const zero = sample({ style: "bp4d", rates: { 12: 0 } }, 20);
  assert.equal(rate(zero, 12), 0);
});

test("DISFA-style: rates by the >= 2 rule, and clean labels agree with the levels", () => {
  const seqs = sample({ style: "disfa" });
  const want: Record<number, number> = { 1: 0.07, 2: 0.06, 4: 0.19, 6: 0.15, 9: 0.05, 12: 0.23, 25: 0.36, 26: 0.19 };
  for (const au of DISFA_AUS) assert.ok(Math.abs(rate(seqs, au) - want[au]) < 0.04, `AU${au}: ${rate(seqs, au)} vs ${want[au]}`);
  let ones = 0;
  for (const s of seqs.slice(0, 50)) for (const au of DISFA_AUS) {
    const lv = s.level.get(au)!, c = s.clean.get(au)!, it = s.intensity.get(au)!;
    for (let t = 0; t < lv.length; t++) {
      assert.equal(c[t], lv[t] >= 2 ? 1 : 0);
      assert.ok(it[t] >= 0 && it[t] <= 5 && lv[t] <= 5);
      if (lv[t] === 1) ones++;
    }
  }
  assert.ok(ones > 0, "sub-threshold intensity 1 occurs (DISFA codes it, absent by the rule)");
  for (const s of bp4d.slice(0, 50)) for (const au of BP4D_AUS) {
    const lv = s.level.get(au)!, c = s.clean.get(au)!;
    for (let t = 0; t < lv.length; t++) assert.equal(c[t], lv[t] >= 1 ? 1 : 0);
  }
});

test("co-occurrences: AU6 with AU12, AU1 with AU2 (BP4D); AU25 with AU26 (DISFA)", () => {
  const lift = (seqs: SequenceLabels[], a: number, b: number) => both(seqs, a, b) / (rate(seqs, a) * rate(seqs, b));
  assert.ok(lift(bp4d, 6, 12) > 1.3, `AU6&12 lift ${lift(bp4d, 6, 12)}`);
  assert.ok(lift(bp4d, 1, 2) > 2, `AU1&2 lift ${lift(bp4d, 1, 2)}`);
  assert.ok(Math.abs(lift(bp4d, 1, 24) - 1) < 0.3, `AU1 and AU24 nearly independent: ${lift(bp4d, 1, 24)}`);
  const disfa = sample({ style: "disfa" }, 200);
  assert.ok(lift(disfa, 25, 26) > 1.5, `AU25&26 lift ${lift(disfa, 25, 26)}`);
});

test("intensities move smoothly over frames (events with onset, apex, offset)", () => {
  let same = 0, n = 0, jump = 0;
  for (const s of bp4d.slice(0, 100)) {
    const c = s.clean.get(12)!, it = s.intensity.get(12)!;
    for (let t = 1; t < c.length; t++) { n++; same += c[t] === c[t - 1] ? 1 : 0; jump = Math.max(jump, Math.abs(it[t] - it[t - 1])); }
  }
  assert.ok(same / n > 0.9, `consecutive frames agree ${same / n}`);
  assert.ok(jump < 2.5, `largest frame-to-frame intensity change ${jump}`);
});

test("label noise: flip and missed-positive rates as requested; clean labels unchanged", () => {
  const f = 0.1, m = 0.2;
  const noisy = sample({ style: "bp4d", flipRate: f, missRate: m, notCodedRate: 0.05 }, 200);
  let neg = 0, negFlip = 0, pos = 0, posLost = 0, cells = 0, nine = 0;
  for (const s of noisy) for (const au of BP4D_AUS) {
    const c = s.clean.get(au)!, y = s.noisy.get(au)!;
    for (let t = 0; t < c.length; t++) {
      cells++;
      if (y[t] === 9) { nine++; continue; }
      if (c[t] === 0) { neg++; negFlip += y[t]; } else { pos++; posLost += 1 - y[t]; }
    }
  }
  assert.ok(Math.abs(negFlip / neg - f) < 0.01, `P(noisy=1 | clean=0) = ${negFlip / neg}`);
  const wantLost = m * (1 - f) + (1 - m) * f;
  assert.ok(Math.abs(posLost / pos - wantLost) < 0.01, `P(noisy=0 | clean=1) = ${posLost / pos}, want ${wantLost}`);
  assert.ok(Math.abs(nine / cells - 0.05) < 0.005, `not-coded rate ${nine / cells}`);
  // Noise never touches the clean track: same seed without noise gives the same clean labels.
  const clean = sample({ style: "bp4d" }, 200);
  assert.deepEqual(noisy[3].clean.get(12), clean[3].clean.get(12));
  const disfaNoisy = sample({ style: "disfa", notCodedRate: 0.5 }, 5);
  assert.ok(disfaNoisy.every((s) => [...s.noisy.values()].every((y) => y.every((v) => v !== 9))), "DISFA style has no 9s");
});

test("deterministic for a seed, different for another", () => {
  const a = sample({ style: "bp4d" }, 3, 50, 1), b = sample({ style: "bp4d" }, 3, 50, 1), c = sample({ style: "bp4d" }, 3, 50, 2);
  assert.deepEqual(a[2].intensity.get(6), b[2].intensity.get(6));
  assert.notDeepEqual(a[2].intensity.get(6), c[2].intensity.get(6));
});

test("bad options are refused with the option named", () => {
  assert.throws(() => resolveLabelOptions({ style: "bp4d", flipRate: 1.5 }), /flipRate must be in \[0, 1\], got 1.5/);
  assert.throws(() => resolveLabelOptions({ style: "bp4d", rates: { 12: -1 } }), /AU12 rate must be in \[0, 1\]/);
  assert.throws(() => resolveLabelOptions({ style: "disfa", rates: { 11: 0.2 } }), /AU11 is not modelled for style disfa/);
});
