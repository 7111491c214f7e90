/**
 * Fuzz target: the restricted unpickler with the torch policy, every storage id resolving to the
 * same 64-byte storage (so tensor rebuilds and strided views are reached), then the tree walk.
 */
import { unpickle } from "../../src/models/checkpoint/pickle.ts";
import { flattenTree } from "../../src/models/checkpoint/state-dict.ts";
import { StorageRef, torchPolicy } from "../../src/models/checkpoint/torch-pickle.ts";
import { parsedOrRefused } from "../clean.ts";

export const SOURCE = "fuzz.pkl";
const STORAGE = new Uint8Array(64).map((_, i) => i);

export async function fuzz(data: Buffer): Promise<void> {
  await parsedOrRefused(SOURCE, () => {
    const policy = torchPolicy(SOURCE, (key, type) => new StorageRef(key, type.dtype, STORAGE));
    flattenTree(unpickle(data, policy, SOURCE).value, SOURCE);
  });
}
