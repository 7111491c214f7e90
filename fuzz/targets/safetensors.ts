/** Fuzz target: safetensors header and data layout. */
import { parseSafetensors } from "../../src/models/checkpoint/safetensors.ts";
import { parsedOrRefused } from "../clean.ts";

export const SOURCE = "fuzz.safetensors";

export async function fuzz(data: Buffer): Promise<void> {
  await parsedOrRefused(SOURCE, () => parseSafetensors(data, SOURCE));
}
