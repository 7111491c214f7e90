/** Fuzz target: torch.save zip archives (yauzl container, restricted unpickler, tensor views). */
import { parseCheckpoint } from "../../src/models/checkpoint/load.ts";
import { parsedOrRefused } from "../clean.ts";

export const SOURCE = "fuzz.pth";

export async function fuzz(data: Buffer): Promise<void> {
  await parsedOrRefused(SOURCE, () => parseCheckpoint(data, SOURCE));
}
