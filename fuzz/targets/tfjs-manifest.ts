/**
 * Fuzz target: tfjs weights manifests (src/face/weights.ts). The input is the manifest JSON, a NUL
 * byte, then the bytes every shard path resolves to.
 */
import { parseTfWeights } from "../../src/face/weights.ts";
import { parsedOrRefused } from "../clean.ts";

export const SOURCE = "fuzz-weights_manifest.json";

export async function fuzz(data: Buffer): Promise<void> {
  const nul = data.indexOf(0);
  const text = data.subarray(0, nul < 0 ? data.length : nul).toString("utf8");
  const shard = nul < 0 ? new Uint8Array(0) : data.subarray(nul + 1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return; // readTfWeights reports JSON errors itself; the decoder is what is fuzzed here
  }
  await parsedOrRefused(SOURCE, () => parseTfWeights(doc, () => shard, SOURCE));
}
