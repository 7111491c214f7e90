/**
 * Report plots as SVG: Vega-Lite specifications (per-AU F1 bars, loss curves), compiled by
 * `vega-lite` and rendered headless by `vega` (View.toSVG; no canvas, no browser). The spec
 * builders are separate from the renderer so the plots' content can be checked without drawing.
 */
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { auLabel } from "../data/aus.ts";
import type { Metrics } from "./metrics.ts";

/** One loss curve: values per step (or epoch), with the axis titles of its own panel. */
export interface LossCurve {
  name: string;
  values: number[];
  /** x-axis title, default "training step". */
  xTitle?: string;
  /** y-axis title, default "loss". */
  yTitle?: string;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "sans-serif", view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 12, labelLimit: 0 }, title: { fontSize: 14, anchor: "start" as const } };
const pct1 = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");

/**
 * Horizontal grouped bars of per-AU F1 (%), one colour per series; AUs labelled "AU12 lip corner
 * puller", legend entries "name (mean F1 x)" stacked under the plot so long names never overlap.
 */
export function f1BarsSpec(series: { name: string; metrics: Metrics }[], title = "Per-AU F1 (%) on the test fold"): TopLevelSpec {
  if (!series.length) throw new Error("f1BarsSpec: no series to plot");
  const legendName = (s: { name: string; metrics: Metrics }) => `${s.name} (mean F1 ${pct1(s.metrics.meanF1)})`;
  const values = series.flatMap((s) =>
    s.metrics.perAu.map((m) => ({ au: auLabel(m.au), method: legendName(s), f1: Number.isFinite(m.f1) ? Math.round(1000 * m.f1) / 10 : null })),
  );
  const order = series.map(legendName);
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    data: { values },
    width: 420,
    height: { step: Math.max(14, 11 * series.length + 6) },
    encoding: {
      y: { field: "au", type: "nominal", sort: null, title: "Action Unit", axis: { labelLimit: 0 } },
      yOffset: { field: "method", type: "nominal", sort: order },
      x: { field: "f1", type: "quantitative", scale: { domain: [0, 100] }, title: "F1 (%)", axis: { grid: true } },
    },
    layer: [
      { mark: { type: "bar", height: { band: 0.9 } }, encoding: { color: { field: "method", type: "nominal", sort: order, title: null, legend: { orient: "bottom", direction: "vertical" } } } },
      { mark: { type: "text", align: "left", dx: 3, fontSize: 9, color: "#444" }, encoding: { text: { field: "f1", type: "quantitative", format: ".1f" } } },
    ],
  } as TopLevelSpec;
}

/**
 * Loss curves, one panel each (stacked), every panel with its own y scale and axis titles: an
 * AUNCE contrastive loss (~3) and a supervised loss (~0.25) share no useful axis.
 */
export function lossCurvesSpec(curves: LossCurve[], title = "Training loss"): TopLevelSpec {
  const drawn = curves.filter((c) => c.values.some(Number.isFinite));
  if (!drawn.length) throw new Error("lossCurvesSpec: no finite loss values to plot");
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    vconcat: drawn.map((c) => ({
      title: { text: c.name, fontSize: 12, fontWeight: "normal", anchor: "start", frame: "group" },
      width: 460,
      height: 140,
      data: { values: c.values.map((v, i) => ({ step: i + 1, loss: Number.isFinite(v) ? v : null })) },
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "step", type: "quantitative", title: c.xTitle ?? "training step", scale: { domain: [1, Math.max(2, c.values.length)], nice: false } },
        y: { field: "loss", type: "quantitative", title: c.yTitle ?? "loss", scale: { zero: false } },
      },
    })),
  } as TopLevelSpec;
}

/** Renders a Vega-Lite specification to an SVG document (headless). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG of {@link f1BarsSpec}. */
export async function f1BarsSvg(series: { name: string; metrics: Metrics }[], title?: string): Promise<string> {
  return renderSvg(f1BarsSpec(series, title));
}

/** SVG of {@link lossCurvesSpec}. */
export async function lossCurvesSvg(curves: LossCurve[], title?: string): Promise<string> {
  return renderSvg(lossCurvesSpec(curves, title));
}

/** Colour by method, in the order the methods first appear, with the legend stacked under the plot. */
function methodColor(points: { method: string }[]) {
  return { field: "method", type: "nominal", sort: [...new Set(points.map((p) => p.method))], title: null, legend: { orient: "bottom", direction: "vertical" } };
}

/** The frame every study plot shares: schema, title, look and size. */
const frame = (title: string, width: number, height: number) => ({ $schema: SCHEMA, title, config: CONFIG, width, height });

/** A method's F1 (%) somewhere on a study plot. */
export interface MethodPoint {
  method: string;
  f1: number;
}

/** One point of {@link f1VsNoiseSpec}: a method's mean F1 at a noise level (%), with its interval [lo, hi]. */
export interface NoisePoint extends MethodPoint { noise: number; lo: number; hi: number }

/** Mean F1 against training-label noise, one line per method, with each point's interval as an error bar. */
export function f1VsNoiseSpec(points: NoisePoint[], title = "Mean F1 on clean test labels vs training-label noise"): TopLevelSpec {
  if (!points.length) throw new Error("f1VsNoiseSpec: no points to plot");
  const noises = [...new Set(points.map((p) => p.noise))].sort((a, b) => a - b);
  const color = methodColor(points);
  const x = { field: "noise", type: "quantitative", title: "symmetric noise on training labels (%)", axis: { values: noises }, scale: { domain: [Math.min(...noises) - 2, Math.max(...noises) + 2], nice: false } };
  return {
    ...frame(title, 420, 240),
    data: { values: points },
    layer: [
      { mark: { type: "errorbar", ticks: true }, encoding: { x, y: { field: "lo", type: "quantitative", title: "mean F1 (%), 95% interval", scale: { domain: [0, 100] } }, y2: { field: "hi" }, color } },
      { mark: { type: "line", point: true }, encoding: { x, y: { field: "f1", type: "quantitative" }, color } },
    ],
  } as TopLevelSpec;
}

/** One point of {@link f1VsBaseRateSpec}: an AU's F1 under a method against its test base rate (%). */
export interface BaseRatePoint extends MethodPoint { au: string; baseRate: number }

/**
 * Per-AU F1 against the AU's base rate on the test fold, one colour per method, with the "always
 * present" F1 curve 2p / (1 + p) as the floor a detector must clear.
 */
export function f1VsBaseRateSpec(points: BaseRatePoint[], title = "Per-AU F1 vs the AU's base rate"): TopLevelSpec {
  if (!points.length) throw new Error("f1VsBaseRateSpec: no points to plot");
  const floor = Array.from({ length: 51 }, (_, i) => ({ baseRate: 2 * i, f1: (100 * 2 * (i / 50)) / (1 + i / 50) }));
  const x = { field: "baseRate", type: "quantitative", title: "base rate on the test fold (%)", scale: { domain: [0, 100] } };
  const y = { field: "f1", type: "quantitative", title: "F1 (%)", scale: { domain: [0, 100] } };
  return {
    ...frame(title, 420, 300),
    layer: [
      { data: { values: floor }, mark: { type: "line", strokeDash: [4, 3], color: "#999" }, encoding: { x, y } },
      { data: { values: points }, mark: { type: "point", filled: true, size: 50 }, encoding: { x, y, color: methodColor(points), tooltip: [{ field: "au" }, { field: "method" }] } },
    ],
  } as TopLevelSpec;
}
