// The study report from cells of predictions: tables and verdicts follow the numbers, a claim whose
// runs are missing says "not run", plots get their data, and the section is replaced between markers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makePredictions } from "../../src/eval/predictions.ts";
import { replaceStudySection, studyReport, type StudyCell } from "../../src/eval/study-report.ts";

// Two AUs over 6 subjects x 4 frames; AU1 present on frames 1 and 3 of each subject, AU2 on frame 3 only.
const subjects = Array.from({ length: 24 }, (_, i) => `S${i % 6}`);
const labels = subjects.flatMap((_, i) => {
  const j = Math.floor(i / 6);
  return [j % 2, j === 3 ? 1 : 0];
});
/** An arm that finds every positive except those on frames listed in `miss`. */
const arm = (miss: number[]) => makePredictions([1, 2], subjects, labels.map((y, k) => (y && !miss.includes(Math.floor(Math.floor(k / 2) / 6)) ? 0.9 : 0.1)), labels);
const cell = (a: string, noise: number, miss: number[]): StudyCell => ({ arm: a, noise, fold: 1, predictions: arm(miss) });

describe("study report", () => {
  const cells = [cell("a", 0, []), cell("b", 0, [1]), cell("a", 0.4, [1]), cell("b", 0.4, [1, 3])];
  const r = studyReport({
    title: "Toy", arms: [{ id: "a", label: "Arm A" }, { id: "b", label: "Arm B" }, { id: "c", label: "Arm C" }], noises: [0, 0.4], cells, bootstrap: { resamples: 100, seed: 1 },
    claims: [
      { id: "ab", text: "A beats B", kind: "better", arm: "a", than: "b", noise: 0, metric: "f1" },
      { id: "ba", text: "B beats A", kind: "better", arm: "b", than: "a", noise: 0, metric: "f1" },
      { id: "same", text: "A beats A", kind: "better", arm: "a", than: "a", noise: 0, metric: "f1" },
      { id: "rob", text: "A resists noise", kind: "robust", arm: "a", than: "b", clean: 0, noisy: 0.4, metric: "f1" },
      { id: "ac", text: "A beats C", kind: "better", arm: "a", than: "c", noise: 0, metric: "f1" },
    ],
    preamble: ["Design line."], footer: ["Footer line."], plotDir: "plots/toy",
  });

  it("means and per-AU F1 as computed by hand", () => {
    const at = (a: string, n: number) => r.summaries.find((s) => s.arm === a && s.noise === n)!;
    assert.equal(at("a", 0).meanF1.value, 1);
    // B at 0%: AU1 finds frame 3 only (TP 6, FN 6: F1 2/3); AU2 finds all: mean 5/6.
    assert.ok(Math.abs(at("b", 0).meanF1.value - 5 / 6) < 1e-12);
    // B at 40%: AU1 and AU2 miss everything: F1 0.
    assert.equal(at("b", 0.4).meanF1.value, 0);
    assert.equal(at("a", 0).perAu[0].baseRate, 0.5);
    assert.ok(Math.abs(at("a", 0).perAu[1].baseRate - 0.25) < 1e-12);
    assert.ok(Math.abs(at("a", 0).presentF1.value - (2 * 0.5 / 1.5 + 2 * 0.25 / 1.25) / 2) < 1e-12);
  });

  it("verdicts from the paired difference, and 'not run' for a missing arm", () => {
    const v = Object.fromEntries(r.claims.map((c) => [c.id, c.verdict]));
    assert.deepEqual(v, { ab: "holds", ba: "fails", same: "cannot tell at this scale", rob: "holds", ac: "not run" });
    const rob = r.claims.find((c) => c.id === "rob")!;
    // A: 1 -> 5/6 (-1/6); B: 5/6 -> 0 (-5/6); A loses 2/3 less.
    assert.ok(Math.abs(rob.diff!.value - 2 / 3) < 1e-12);
  });

  it("the Markdown has its sections, rows and plot links; the plots carry the points", () => {
    for (const s of ["## Toy", "Design line.", "### Results: mean over AUs", "### Claims", "### Per-AU F1 at 0% training-label noise", "### Per-AU F1 at 40% training-label noise", "### Per-AU ROC-AUC at 0% training-label noise", "### Per-AU ROC-AUC at 40% training-label noise", "Footer line.", "](plots/toy/f1-noise.svg)", "](plots/toy/f1-base-rate.svg)"]) {
      assert.ok(r.markdown.includes(s), s);
    }
    assert.match(r.markdown, /\| Arm A \| 0% \| 1 \| 100\.0 \[100\.0, 100\.0\] \|/);
    assert.match(r.markdown, /\| A beats B \| Arm A − Arm B at 0% noise \| mean F1 \| \+16\.7 \[/);
    assert.match(r.markdown, /\| A beats C \| .* \| — \| \*\*not run\*\* \|/);
    assert.match(r.markdown, /\| AU01 inner brow raiser \| 50\.0 \| 100\.0 \[100\.0, 100\.0\] \| 66\.7 \[/);
    // ROC-AUC of B's AU1 at 0%: its 6 found positives rank above all 12 negatives, the 6 missed tie with them (1/2): 3/4.
    const aucTable = r.markdown.slice(r.markdown.indexOf("### Per-AU ROC-AUC at 0%"));
    assert.match(aucTable, /\| AU01 inner brow raiser \| 50\.0 \| 100\.0 \[100\.0, 100\.0\] \| 75\.0 \[/);
    const noise = r.plots.find((p) => p.file === "f1-noise.svg")!.spec as { data: { values: { method: string; noise: number; f1: number }[] } };
    assert.deepEqual(noise.data.values.map((p) => [p.method, p.noise, Math.round(10 * p.f1) / 10]), [["Arm A", 0, 100], ["Arm A", 40, 83.3], ["Arm B", 0, 83.3], ["Arm B", 40, 0]]);
  });

  it("replaces the section between its markers, or appends it", () => {
    const doc = "# E\n\n<!-- study:toy -->\nold\n<!-- /study -->\n\nafter\n";
    assert.equal(replaceStudySection(doc, "toy", "new\n"), "# E\n\n<!-- study:toy -->\nnew\n<!-- /study -->\n\nafter\n");
    assert.equal(replaceStudySection("# E\n", "toy", "x"), "# E\n\n<!-- study:toy -->\nx\n<!-- /study -->\n");
    assert.throws(() => replaceStudySection("<!-- study:toy -->\n", "toy", "x"), /no closing/);
  });
});
