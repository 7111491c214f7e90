import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AU_NAMES, BP4D_AUS, DISFA_AUS, auLabel } from "../../src/data/aus.ts";
import { alwaysPresentF1, demoGuide, methodSummary, sameRun, type DemoSummary } from "../../src/eval/demo-summary.ts";
import { computeMetrics, type Metrics } from "../../src/eval/metrics.ts";
import { f1BarsSvg, lossCurvesSpec, lossCurvesSvg } from "../../src/eval/plots.ts";
import { f1Table } from "../../src/eval/report.ts";

/** Text of every <text> element of an SVG, in document order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"'));

/** Metrics for AUs 1 and 12 from a fixed set of scores (4 frames). */
function metrics(probs: number[]): Metrics {
  return computeMetrics(probs, [1, 0, 0, 1, 1, 1, 0, 0], [1, 12]);
}

describe("AU names", () => {
  it("every BP4D and DISFA AU has its FACS name; labels put code and name together", () => {
    for (const au of [...BP4D_AUS, ...DISFA_AUS]) assert.ok(AU_NAMES[au], `AU${au}`);
    assert.equal(auLabel(12), "AU12 lip corner puller");
    assert.equal(auLabel(1), "AU01 inner brow raiser");
    assert.equal(auLabel(43), "AU43");
  });

  it("the F1 table names the AUs beside their codes", () => {
    const t = f1Table([{ name: "x", metrics: metrics([0.9, 0.1, 0.2, 0.8, 0.7, 0.6, 0.4, 0.6]) }]);
    assert.match(t, /^\| AU01 inner brow raiser \| 100\.0 \|$/m);
    assert.match(t, /^\| AU12 lip corner puller \| 80\.0 \|$/m);
  });
});

describe("report plots (Vega-Lite rendered to SVG)", () => {
  const series = [
    { name: "AUNCE + linear eval", metrics: metrics([0.9, 0.1, 0.2, 0.8, 0.7, 0.6, 0.4, 0.6]) },
    { name: "supervised baseline", metrics: metrics([0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]) },
  ];

  it("F1 bars: AUs named in full, axis titles, one legend entry per method with its mean", async () => {
    const svg = await f1BarsSvg(series);
    assert.match(svg, /^<svg /);
    const t = texts(svg);
    for (const s of ["AU01 inner brow raiser", "AU12 lip corner puller", "F1 (%)", "Action Unit", "AUNCE + linear eval (mean F1 90.0)", "supervised baseline (mean F1 66.7)"]) assert.ok(t.includes(s), `${s} in ${JSON.stringify(t)}`);
    assert.ok(!t.some((s) => s.includes("…")), "no truncated label");
    // The legend entries stack: each on its own line (different y), so long names cannot overlap.
    const legend = svg.slice(svg.indexOf('aria-roledescription="legend"'));
    const legendY = [...legend.matchAll(/<g transform="translate\(([\d.]+),([\d.]+)\)"><path class="background"[^>]*\/><g><g class="mark-symbol role-legend-symbol"/g)].map((m) => Number(m[2]));
    assert.equal(legendY.length, 2, "two legend entries found");
    assert.notEqual(legendY[0], legendY[1]);
  });

  it("loss curves: one panel per loss with its own y scale and titled axes", async () => {
    const curves = [
      { name: "AUNCE contrastive pre-training", values: [3.2, 3.05, 2.97, 2.9], yTitle: "AUNCE loss" },
      { name: "supervised baseline", values: [0.27, 0.26, 0.25, 0.245], yTitle: "weighted asymmetric loss" },
    ];
    const spec = lossCurvesSpec(curves) as { vconcat: unknown[] };
    assert.equal(spec.vconcat.length, 2);
    const t = texts(await lossCurvesSvg(curves));
    for (const s of ["AUNCE loss", "weighted asymmetric loss", "AUNCE contrastive pre-training", "supervised baseline"]) assert.ok(t.includes(s), s);
    assert.equal(t.filter((s) => s === "training step").length, 2, "an x-axis title per panel");
    // Own scales: the supervised panel has ticks within its ~0.25 range, the AUNCE one within ~3.
    const ticks = t.map(Number).filter((v) => Number.isFinite(v) && !Number.isInteger(v));
    assert.ok(ticks.some((v) => v > 0.24 && v < 0.27), `fine ticks near 0.25: ${ticks}`);
    assert.ok(ticks.some((v) => v > 2.9 && v < 3.2), `ticks near 3: ${ticks}`);
  });

  it("a report with no loss values draws no loss panel, and empty input is a clear error", async () => {
    assert.throws(() => lossCurvesSpec([{ name: "a", values: [] }]), /no finite loss values/);
    await assert.rejects(() => f1BarsSvg([]), /no series to plot/);
  });
});

describe("demo summary and guide", () => {
  const aunce = metrics([0.9, 0.1, 0.2, 0.8, 0.7, 0.6, 0.4, 0.6]);
  const sup = metrics([0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]);
  const summary = (a: Metrics, b: Metrics): DemoSummary => ({
    format: "aunce-demo-summary/1", date: "2026-12-02T00:00:00.000Z", engine: { libtorch: "1.13.1", blas: "OpenBLAS", threads: 2, cpuCapability: "AVX2" },
    config: { subjects: 9, epochs: 1, crop: 96, backbone: "resnet18_w32" }, defaultConfig: true,
    methods: { aunce: methodSummary("AUNCE", a), supervised: methodSummary("supervised", b) }, alwaysPresentF1: alwaysPresentF1(b), testFrames: 4,
    seconds: 1, stageSeconds: {}, loadAverage: { start: 1, end: 1 },
  });

  it("always-present F1 is 2p/(1+p) per AU, averaged", () => {
    // AU01 labels 1,0,1,0 and AU12 labels 0,1,1,0: p = 1/2 -> 2/3 each
    assert.equal(alwaysPresentF1(aunce), 2 / 3);
    assert.equal(alwaysPresentF1(computeMetrics([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0], [1])), 2 / 5); // p = 1/4
  });

  it("the guide gives the floor, the AUCs, the outcome as it happened and the experiments link", () => {
    const g = demoGuide(summary(sup, aunce), "../docs/experiments.md");
    assert.match(g, /mean F1 of \*\*66\.7\*\*/);
    assert.match(g, /AUNCE trailing the baseline here \(mean F1 66\.7 vs 90\.0\)/);
    assert.match(g, /1 epoch on 96 px/);
    assert.match(g, /\[\.\.\/docs\/experiments\.md\]\(\.\.\/docs\/experiments\.md\)/);
    assert.match(g, /\(50 = chance\): 50\.0 for AUNCE, 93\.8 for the supervised baseline/);
    const lead = demoGuide(summary(aunce, sup));
    assert.match(lead, /read AUNCE's lead here \(mean F1 90\.0 vs 66\.7\) with care/);
    assert.doesNotMatch(lead, /Neither method clears/);
    const none = metrics([0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]);
    assert.match(demoGuide(summary(none, none)), /Neither method clears that floor/);
  });

  it("runs compare only on the same engine and config", () => {
    const a = summary(aunce, sup);
    assert.ok(sameRun(a, { ...a, config: { backbone: "resnet18_w32", crop: 96, epochs: 1, subjects: 9 } }));
    assert.ok(!sameRun(a, { ...a, engine: { ...a.engine, libtorch: "2.13.0" } }));
    assert.ok(!sameRun(a, { ...a, config: { ...a.config, epochs: 2 } }));
  });
});
