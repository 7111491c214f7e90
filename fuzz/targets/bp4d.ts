/**
 * Fuzz target: a BP4D AU_OCC label csv (the input) in a tree with three frame images, read
 * leniently and strictly (strict mode refuses with a DataFormatError naming the file).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBp4d } from "../../src/data/bp4d.ts";
import { parsedOrRefused } from "../clean.ts";
import { fuzzTemp } from "../tmp.ts";

function tree(): string {
  const root = join(fuzzTemp(), "bp4d");
  mkdirSync(join(root, "AUCoding", "AU_OCC"), { recursive: true });
  mkdirSync(join(root, "img", "F001", "T1"), { recursive: true });
  for (const i of [1, 2, 3]) writeFileSync(join(root, "img", "F001", "T1", `${i}.jpg`), "");
  return root;
}

export async function fuzz(data: Buffer): Promise<void> {
  const root = tree();
  writeFileSync(join(root, "AUCoding", "AU_OCC", "F001_T1.csv"), data);
  await parsedOrRefused(root, () => readBp4d(root));
  await parsedOrRefused(root, () => readBp4d(root, { strict: true, maskUncoded: true }));
}
