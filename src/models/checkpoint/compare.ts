/**
 * Checks a loaded state dict against what a model expects, like torch's
 * `load_state_dict(strict=...)`: missing and unexpected keys and shape mismatches, by name.
 */
import type { RawDType, RawStateDict } from "./raw.ts";

/** What a model expects of one entry. */
export interface TensorSpec {
  dtype: RawDType;
  shape: number[];
}

/** The differences between expected entries and a state dict. */
export interface LoadReport {
  missing: string[];
  unexpected: string[];
  shapeMismatches: { name: string; expected: number[]; got: number[] }[];
  /** Only filled when `checkDtype` is set (the engine casts float checkpoints on load). */
  dtypeMismatches: { name: string; expected: RawDType; got: RawDType }[];
}

/** Options of compareStateDict. */
export interface CompareOptions {
  /** Throw when anything differs (default true). */
  strict?: boolean;
  /** Also report dtype differences (default false). */
  checkDtype?: boolean;
  /** Expected names that may be absent (e.g. buffers the model recomputes). */
  allowMissing?: RegExp[];
  /** Extra names to ignore (e.g. a classifier head not used by a backbone). */
  allowUnexpected?: RegExp[];
  /** Names the file in the error message. */
  source?: string;
}

const fmt = (s: number[]) => `[${s.join(", ")}]`;

/** Formats a report as lines, or "" when there is nothing to report. */
export function formatLoadReport(r: LoadReport): string {
  const lines: string[] = [];
  if (r.missing.length) lines.push(`missing keys (${r.missing.length}): ${r.missing.join(", ")}`);
  if (r.unexpected.length) lines.push(`unexpected keys (${r.unexpected.length}): ${r.unexpected.join(", ")}`);
  if (r.shapeMismatches.length) {
    lines.push(`shape mismatches (${r.shapeMismatches.length}): ${r.shapeMismatches.map((m) => `${m.name} expected ${fmt(m.expected)} got ${fmt(m.got)}`).join("; ")}`);
  }
  if (r.dtypeMismatches.length) {
    lines.push(`dtype mismatches (${r.dtypeMismatches.length}): ${r.dtypeMismatches.map((m) => `${m.name} expected ${m.expected} got ${m.got}`).join("; ")}`);
  }
  return lines.join("\n");
}

/**
 * Compares `sd` with the `expected` entries (name -> dtype and shape). Strict mode (the default)
 * throws an Error listing every difference by name; non-strict returns the report.
 */
export function compareStateDict(
  expected: Map<string, TensorSpec> | Iterable<[string, TensorSpec]>,
  sd: RawStateDict,
  opts: CompareOptions = {},
): LoadReport {
  const want = expected instanceof Map ? expected : new Map(expected);
  const report: LoadReport = { missing: [], unexpected: [], shapeMismatches: [], dtypeMismatches: [] };
  for (const [name, spec] of want) {
    const t = sd.get(name);
    if (!t) {
      if (!opts.allowMissing?.some((re) => re.test(name))) report.missing.push(name);
      continue;
    }
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      report.shapeMismatches.push({ name, expected: [...spec.shape], got: [...t.shape] });
    }
    if (opts.checkDtype && t.dtype !== spec.dtype) report.dtypeMismatches.push({ name, expected: spec.dtype, got: t.dtype });
  }
  for (const name of sd.keys()) {
    if (!want.has(name) && !opts.allowUnexpected?.some((re) => re.test(name))) report.unexpected.push(name);
  }
  const text = formatLoadReport(report);
  if ((opts.strict ?? true) && text) {
    throw new Error(`${opts.source ?? "state dict"} does not match the model:\n${text}`);
  }
  return report;
}
