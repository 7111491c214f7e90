/** Fuzz target: YAML/JSON training configs (read, then merged and validated). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readConfigFile, resolveConfig } from "../../src/train/config.ts";
import { parsedOrRefused } from "../clean.ts";
import { fuzzTemp } from "../tmp.ts";

export async function fuzz(data: Buffer): Promise<void> {
  const file = join(fuzzTemp(), "config.yaml");
  writeFileSync(file, data);
  // readConfigFile names the file; resolveConfig's messages start with "config:".
  await parsedOrRefused("config", () => resolveConfig(readConfigFile(file)));
}
