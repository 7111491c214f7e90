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
