/**
 * The tfjs weights-manifest reader (src/models/checkpoint/tfjs.ts, where the trainable face-api
 * backbones read it too), re-exported for the frozen nets here, and lookup helpers over its maps.
 */
import { fromArray, type Tensor } from "../tensor/index.ts";
import type { TfWeight } from "../models/checkpoint/tfjs.ts";

export { faceApiAssetsDir, parseTfWeights, readTfWeights, type TfWeight } from "../models/checkpoint/tfjs.ts";

/**
 * Lookup helpers over a weight map for the net named `net`: `get` throws naming the missing weight,
 * `vec` copies a weight into an engine tensor of its own shape.
 */
export function weightReader(weights: Map<string, TfWeight>, net: string): { get(name: string): TfWeight; vec(name: string): Tensor } {
  const get = (name: string): TfWeight => {
    const w = weights.get(name);
    if (!w) throw new Error(`${net}: weight '${name}' missing from the manifest`);
    return w;
  };
  return { get, vec: (name: string) => fromArray(get(name).data, get(name).shape) };
}
