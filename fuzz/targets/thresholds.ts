/** Fuzz target: `aunce detect --thresholds` files (YAML/JSON AU -> threshold). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readThresholds } from "../../src/cli/detect/thresholds.ts";
import { parsedOrRefused } from "../clean.ts";
import { fuzzTemp } from "../tmp.ts";

export async function fuzz(data: Buffer): Promise<void> {
  const file = join(fuzzTemp(), "thresholds.yaml");
  writeFileSync(file, data);
  await parsedOrRefused(file, () => readThresholds(file));
}
