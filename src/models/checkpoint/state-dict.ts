/**
 * State-dict helpers over decoded checkpoints: find the tensors inside the wrappers training code
 * saves ({'model': sd}, {'state_dict': sd, 'epoch': ...}), strip DataParallel's `module.` prefix,
 * take a sub-module's entries, and flatten any object tree to named tensors.
 */
import { brief } from "./pickle.ts";
import { isRawTensor, type RawStateDict, type RawTensor } from "./raw.ts";

/** Keys searched, in this order, for a nested state dict. */
export const STATE_DICT_KEYS = ["state_dict", "model", "model_state_dict", "module", "net", "network"];

function isStateDictMap(x: unknown): x is Map<string, RawTensor> {
  if (!(x instanceof Map) || x.size === 0) return false;
  for (const [k, v] of x) if (typeof k !== "string" || !isRawTensor(v)) return false;
  return true;
}

/**
 * Finds the state dict in a decoded checkpoint: the root itself when it maps names to tensors,
 * else the first of STATE_DICT_KEYS holding one (searched recursively). Returns it with its path
 * ("" for the root, e.g. "model" or "state_dict"). Throws an Error listing the root's keys when none.
 */
export function findStateDict(root: unknown, source = "checkpoint"): { stateDict: RawStateDict; path: string } {
  const search = (node: unknown, path: string, depth: number): { stateDict: RawStateDict; path: string } | null => {
    if (isStateDictMap(node)) return { stateDict: new Map(node), path };
    if (!(node instanceof Map) || depth > 4) return null;
    for (const key of STATE_DICT_KEYS) {
      if (!node.has(key)) continue;
      const hit = search(node.get(key), path ? `${path}.${key}` : key, depth + 1);
      if (hit) return hit;
    }
    return null;
  };
  const hit = search(root, "", 0);
  if (hit) return hit;
  const keys = root instanceof Map ? [...root.keys()].slice(0, 12).map(brief).join(", ") : typeof root;
  throw new Error(`${source}: no state dict found (looked at the root and under ${STATE_DICT_KEYS.join("/")}); root keys: ${keys}`);
}

/**
 * Removes `prefix` (default DataParallel's "module.") from every key that starts with it; other keys
 * are kept unchanged. Throws if stripping makes two keys collide.
 */
export function stripPrefix(sd: RawStateDict, prefix = "module."): RawStateDict {
  const out: RawStateDict = new Map();
  for (const [k, v] of sd) {
    const name = k.startsWith(prefix) ? k.slice(prefix.length) : k;
    if (out.has(name)) throw new Error(`stripping '${prefix}' makes two tensors named '${name}'`);
    out.set(name, v);
  }
  return out;
}

/** The entries under `prefix` (e.g. "backbone."), with the prefix removed. */
export function subStateDict(sd: RawStateDict, prefix: string): RawStateDict {
  const out: RawStateDict = new Map();
  for (const [k, v] of sd) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

/**
 * Deepest nesting flattenTree follows, and most values it visits (memo references let a small
 * pickle share one list many times over; a large model's training checkpoint has a few thousand).
 */
export const MAX_TREE_DEPTH = 64;
export const MAX_TREE_NODES = 200_000;

/**
 * Walks a decoded object tree and returns every tensor leaf under a dotted path (dict keys and
 * list/tuple indices), plus every scalar leaf (number, string, bool, None, bigint) as `scalars`.
 * A container that contains itself is shown as the scalar "<recursive reference>". Throws an Error
 * naming `source` for a tree nested deeper than MAX_TREE_DEPTH or with more than MAX_TREE_NODES
 * values (a pickle can share one list many times over, so a small file can name a huge tree).
 */
export function flattenTree(root: unknown, source = "checkpoint"): { tensors: RawStateDict; scalars: Map<string, unknown> } {
  const tensors: RawStateDict = new Map();
  const scalars = new Map<string, unknown>();
  const onPath = new Set<unknown>();
  let visited = 0;
  const enter = (node: object, depth: number): boolean => {
    if (onPath.has(node)) return false;
    if (depth >= MAX_TREE_DEPTH) throw new Error(`${source}: object tree is nested deeper than ${MAX_TREE_DEPTH} levels`);
    onPath.add(node);
    return true;
  };
  const walk = (node: unknown, path: string, depth: number) => {
    if (++visited > MAX_TREE_NODES) throw new Error(`${source}: object tree has more than ${MAX_TREE_NODES} values (shared or self-referencing lists?)`);
    if (isRawTensor(node)) {
      tensors.set(path, node);
    } else if (node instanceof Map || Array.isArray(node)) {
      if (!enter(node, depth)) {
        scalars.set(path, "<recursive reference>");
        return;
      }
      if (node instanceof Map) {
        for (const [k, v] of node) {
          const name = typeof k === "string" ? k : brief(k); // whole names; containers as kinds (see brief)
          walk(v, path ? `${path}.${name}` : name, depth + 1);
        }
      } else node.forEach((v, i) => walk(v, path ? `${path}.${i}` : String(i), depth + 1));
      onPath.delete(node);
    } else if (node instanceof Uint8Array) {
      scalars.set(path, `<${node.byteLength} bytes>`);
    } else if (node instanceof Set) {
      scalars.set(path, [...node]);
    } else {
      scalars.set(path, node);
    }
  };
  walk(root, "", 0);
  return { tensors, scalars };
}
