/**
 * Key maps as data: an ordered list of regex renames plus names to drop. Applying one renames a
 * state dict's keys without touching the tensors (views are shared, nothing is copied).
 */
import type { RawStateDict } from "../raw.ts";

/** One rename: the first rule whose `from` matches rewrites the key (`to` as in String.replace). */
export interface KeyRule {
  from: RegExp;
  to: string | ((match: string, ...groups: string[]) => string);
}

/** A documented naming conversion between two checkpoint conventions. */
export interface KeyMap {
  /** e.g. "timm swin -> official Swin release". */
  name: string;
  rules: KeyRule[];
  /** Keys removed before renaming (e.g. buffers the target does not persist). */
  drop: RegExp[];
}

/** Maps one key, or returns null when the map drops it. */
export function mapKey(map: KeyMap, key: string): string | null {
  if (map.drop.some((re) => re.test(key))) return null;
  for (const r of map.rules) {
    if (r.from.test(key)) return key.replace(r.from, r.to as string);
  }
  return key;
}

/** Renames every key of `sd` by `map` (order kept); throws if two keys map to one name. */
export function applyKeyMap(sd: RawStateDict, map: KeyMap): RawStateDict {
  const out: RawStateDict = new Map();
  for (const [k, v] of sd) {
    const name = mapKey(map, k);
    if (name === null) continue;
    if (out.has(name)) throw new Error(`key map '${map.name}': '${k}' maps to '${name}', which is already taken`);
    out.set(name, v);
  }
  return out;
}
