// Shared fixture access for the checkpoint tests (fixtures: scripts/fixtures/checkpoints.py).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RawDType, RawStateDict, RawTensor } from "../../../src/models/checkpoint/raw.ts";
import { itemSize, numel } from "../../../src/models/checkpoint/raw.ts";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/checkpoint/", import.meta.url));

export const fixture = (name: string) => FIXTURES + name;

export interface KeySpec {
  name: string;
  dtype: RawDType;
  shape: number[];
}

/** Recorded key lists: torchvision ResNets and the official/timm Swin layouts. */
export const keylists = JSON.parse(readFileSync(fixture("keylists.json"), "utf8")) as {
  config: Record<string, { img?: number; embed: number; depths: number[]; heads: number[]; ws?: number; classes?: number }>;
  lists: Record<string, KeySpec[]>;
};

/** A state dict with zeroed tensors of the listed names, dtypes and shapes (views of one shared buffer). */
export function zerosFrom(list: KeySpec[]): RawStateDict {
  const size = (k: KeySpec) => numel(k.shape) * itemSize(k.dtype);
  const zeros = new Uint8Array(Math.max(0, ...list.map(size)));
  return new Map(list.map((k) => [k.name, { dtype: k.dtype, shape: k.shape, data: zeros.subarray(0, size(k)) }]));
}

/** Reads a float32 tensor's values. */
export function f32(t: RawTensor): number[] {
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Array.from({ length: t.data.byteLength / 4 }, (_, i) => dv.getFloat32(i * 4, true));
}

/** Reads a float64 tensor's values. */
export function f64(t: RawTensor): number[] {
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Array.from({ length: t.data.byteLength / 8 }, (_, i) => dv.getFloat64(i * 8, true));
}

/** Reads an int32 tensor's values. */
export function i32(t: RawTensor): number[] {
  const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return Array.from({ length: t.data.byteLength / 4 }, (_, i) => dv.getInt32(i * 4, true));
}
