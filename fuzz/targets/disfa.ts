/**
 * Fuzz target: a DISFA AU label file (the input, as SN001_au1.txt) beside valid files for the other
 * AUs and three frame images, read leniently and strictly.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DISFA_AUS } from "../../src/data/aus.ts";
import { readDisfa } from "../../src/data/disfa.ts";
import { parsedOrRefused } from "../clean.ts";
import { fuzzTemp } from "../tmp.ts";

function tree(): string {
  const root = join(fuzzTemp(), "disfa");
  const labels = join(root, "ActionUnit_Labels", "SN001");
  mkdirSync(labels, { recursive: true });
  mkdirSync(join(root, "img", "SN001"), { recursive: true });
  for (const i of [0, 1, 2]) writeFileSync(join(root, "img", "SN001", `${i}.png`), "");
  for (const au of DISFA_AUS) writeFileSync(join(labels, `SN001_au${au}.txt`), "1,0\n2,3\n3,1\n");
  return root;
}

export async function fuzz(data: Buffer): Promise<void> {
  const root = tree();
  writeFileSync(join(root, "ActionUnit_Labels", "SN001", `SN001_au${DISFA_AUS[0]}.txt`), data);
  await parsedOrRefused(root, () => readDisfa(root));
  await parsedOrRefused(root, () => readDisfa(root, { strict: true }));
}
