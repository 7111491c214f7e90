/**
 * `--thresholds <file>`: per-AU presence thresholds, a YAML or JSON mapping from AU to a number in
 * [0, 1]. Keys may be "AU01", "AU1", "au12" or plain numbers: `{ AU01: 0.4, AU12: 0.6 }`.
 * AUs not listed keep the default (0.5).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** Parses a thresholds file; throws naming the file and the bad entry. */
export function readThresholds(file: string): Record<number, number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`--thresholds ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`--thresholds ${file}: not valid YAML/JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error(`--thresholds ${file}: expected a mapping like { AU01: 0.4, AU12: 0.6 }`);
  const out: Record<number, number> = {};
  for (const [k, v] of Object.entries(doc)) {
    const m = /^(?:au)?0*(\d+)$/i.exec(k.trim());
    if (!m) throw new Error(`--thresholds ${file}: key '${k}' is not an AU (expected e.g. AU01 or 1)`);
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`--thresholds ${file}: ${k}: expected a number in [0, 1], got ${JSON.stringify(v)}`);
    out[Number(m[1])] = v;
  }
  return out;
}
