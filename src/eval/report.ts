/**
 * Evaluation reports: a Markdown table of per-AU F1 (one column per method or fold, plus the
 * mean), and SVG plots (per-AU F1 bars, loss curves) that any browser or document can show.
 */
import type { Metrics } from "./metrics.ts";

const pct = (x: number) => (Number.isNaN(x) ? "n/a" : (100 * x).toFixed(1));

/** Markdown table: rows = AUs + mean; columns = the named results' F1 (%). */
export function f1Table(columns: { name: string; metrics: Metrics }[]): string {
  const aus = columns[0].metrics.perAu.map((m) => m.au);
  const head = `| AU | ${columns.map((c) => c.name).join(" | ")} |`;
  const sep = `|---|${columns.map(() => "---:").join("|")}|`;
  const rows = aus.map((au, k) => `| AU${String(au).padStart(2, "0")} | ${columns.map((c) => pct(c.metrics.perAu[k]?.f1 ?? NaN)).join(" | ")} |`);
  const mean = `| **mean** | ${columns.map((c) => `**${pct(c.metrics.meanF1)}**`).join(" | ")} |`;
  return [head, sep, ...rows, mean].join("\n");
}

/** Mean of several folds' metrics, AU by AU (the paper's 3-fold table). */
export function meanOverFolds(folds: Metrics[]): Metrics {
  const k = folds.length;
  const avg = (f: (m: Metrics) => number) => folds.reduce((a, m) => a + f(m), 0) / k;
  return {
    perAu: folds[0].perAu.map((m, i) => ({
      ...m,
      f1: avg((x) => x.perAu[i].f1), precision: avg((x) => x.perAu[i].precision), recall: avg((x) => x.perAu[i].recall),
      accuracy: avg((x) => x.perAu[i].accuracy), auc: avg((x) => x.perAu[i].auc),
      positives: folds.reduce((a, x) => a + x.perAu[i].positives, 0), count: folds.reduce((a, x) => a + x.perAu[i].count, 0),
    })),
    meanF1: avg((m) => m.meanF1),
    meanAccuracy: avg((m) => m.meanAccuracy),
    meanAuc: avg((m) => m.meanAuc),
  };
}

const COLOURS = ["#3b6fb6", "#d9822b", "#3a9d5d", "#b23b3b", "#7d5ba6"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** Grouped bar chart of per-AU F1 (%), one colour per series. */
export function f1BarsSvg(series: { name: string; metrics: Metrics }[], title = "Per-AU F1 (%)"): string {
  const aus = series[0].metrics.perAu.map((m) => m.au);
  const W = 60 + aus.length * (series.length * 14 + 12), H = 260, top = 30, bottom = 210;
  const y = (v: number) => bottom - (v * (bottom - top));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`, `<text x="10" y="18" font-size="13">${esc(title)}</text>`];
  for (let g = 0; g <= 100; g += 25) parts.push(`<line x1="40" x2="${W - 10}" y1="${y(g / 100)}" y2="${y(g / 100)}" stroke="#ddd"/><text x="10" y="${y(g / 100) + 4}">${g}</text>`);
  aus.forEach((au, k) => {
    const x0 = 48 + k * (series.length * 14 + 12);
    series.forEach((s, j) => {
      const v = s.metrics.perAu[k]?.f1 ?? 0;
      parts.push(`<rect x="${x0 + j * 14}" y="${y(v)}" width="12" height="${bottom - y(v)}" fill="${COLOURS[j % COLOURS.length]}"><title>${esc(s.name)} AU${au}: ${pct(v)}</title></rect>`);
    });
    parts.push(`<text x="${x0}" y="${bottom + 14}">AU${au}</text>`);
  });
  series.forEach((s, j) => parts.push(`<rect x="${40 + j * 140}" y="${H - 22}" width="10" height="10" fill="${COLOURS[j % COLOURS.length]}"/><text x="${54 + j * 140}" y="${H - 13}">${esc(s.name)} (${pct(s.metrics.meanF1)})</text>`));
  parts.push("</svg>");
  return parts.join("\n");
}

/** Line plot of one or more loss curves against step. */
export function lossCurveSvg(curves: { name: string; values: number[] }[], title = "Training loss"): string {
  const W = 520, H = 260, left = 50, right = W - 10, top = 30, bottom = 210;
  const all = curves.flatMap((c) => c.values).filter(Number.isFinite);
  const lo = Math.min(...all), hi = Math.max(...all);
  const n = Math.max(...curves.map((c) => c.values.length), 2);
  const x = (i: number) => left + (i / (n - 1)) * (right - left);
  const y = (v: number) => bottom - ((v - lo) / (hi - lo || 1)) * (bottom - top);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`, `<text x="10" y="18" font-size="13">${esc(title)}</text>`,
    `<text x="5" y="${top + 4}">${hi.toPrecision(3)}</text><text x="5" y="${bottom}">${lo.toPrecision(3)}</text><text x="${right - 40}" y="${bottom + 16}">step ${n}</text>`,
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#999"/>`];
  curves.forEach((c, j) => {
    const pts = c.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${COLOURS[j % COLOURS.length]}" stroke-width="1.5" points="${pts}"/>`);
    parts.push(`<rect x="${left + j * 150}" y="${H - 22}" width="10" height="10" fill="${COLOURS[j % COLOURS.length]}"/><text x="${left + 14 + j * 150}" y="${H - 13}">${esc(c.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
