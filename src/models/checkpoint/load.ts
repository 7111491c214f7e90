/**
 * One entry point for any checkpoint file: safetensors or torch.save (zip or legacy), detected
 * from the bytes, not the extension.
 */
import { readWholeFile } from "./files.ts";
import { parseTorchCheckpoint } from "./pth.ts";
import { parseSafetensors } from "./safetensors.ts";
import { findStateDict, flattenTree } from "./state-dict.ts";
import type { RawStateDict } from "./raw.ts";
import { looksLikeZip } from "./zip.ts";

/** A checkpoint file's contents, whatever its format. */
export interface LoadedCheckpoint {
  format: "safetensors" | "pth-zip" | "pth-legacy";
  /** The decoded object tree (torch) or the tensors map (safetensors). */
  root: unknown;
  /** Every tensor, under dotted paths from the root. */
  tensors: RawStateDict;
  /** safetensors `__metadata__`, or the non-tensor leaves of a torch pickle (as display strings). */
  metadata: Record<string, string>;
}

/** A display string for a metadata leaf; nested values are cut short (they may be deep or cyclic). */
function show(v: unknown, depth = 0): string {
  if (typeof v === "string") return depth === 0 ? v : JSON.stringify(v);
  if (typeof v === "bigint") return v.toString();
  if (v === null || v === undefined) return String(v);
  if (typeof v !== "object") return JSON.stringify(v) ?? String(v);
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  if (depth >= 3) return "[...]";
  if (Array.isArray(v) || v instanceof Set) {
    const items = [...v];
    const shown = items.slice(0, 16).map((x) => show(x, depth + 1));
    return `[${shown.join(",")}${items.length > 16 ? ",..." : ""}]`;
  }
  if (v instanceof Map) return `{${[...v].slice(0, 16).map(([k, x]) => `${show(k, depth + 1)}:${show(x, depth + 1)}`).join(",")}${v.size > 16 ? ",..." : ""}}`;
  return `<${v.constructor?.name ?? "object"}>`;
}

/**
 * True when the bytes start like safetensors: a header length that fits the file, then '{'. (A
 * pickle's first bytes read as a length far larger than any file, so the two cannot be confused.)
 */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n + 8n <= BigInt(bytes.byteLength) && bytes[8] === 0x7b;
}

/** Decodes checkpoint bytes of any supported format; `source` names the file in errors. */
export async function parseCheckpoint(bytes: Uint8Array, source = "checkpoint"): Promise<LoadedCheckpoint> {
  if (!looksLikeSafetensors(bytes) && (looksLikeZip(bytes) || bytes[0] === 0x80)) {
    const ck = await parseTorchCheckpoint(bytes, source);
    const { tensors, scalars } = flattenTree(ck.root, source);
    const metadata: Record<string, string> = {};
    for (const [k, v] of scalars) metadata[k] = show(v);
    return { format: ck.format === "zip" ? "pth-zip" : "pth-legacy", root: ck.root, tensors, metadata };
  }
  if (!looksLikeSafetensors(bytes) && !/\.safetensors$/i.test(source)) {
    throw new Error(`${source}: unrecognised checkpoint format (not safetensors, not a torch zip archive, not a legacy torch pickle)`);
  }
  const st = parseSafetensors(bytes, source);
  return { format: "safetensors", root: st.tensors, tensors: st.tensors, metadata: st.metadata };
}

/** Reads any supported checkpoint file (async). */
export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  return parseCheckpoint(await readWholeFile(path), path);
}

/**
 * Reads a checkpoint and returns its model state dict: the safetensors tensors, or the torch
 * state dict found by findStateDict, with a leading DataParallel `module.` stripped.
 */
export async function readStateDict(path: string): Promise<RawStateDict> {
  const ck = await readCheckpoint(path);
  const sd = ck.format === "safetensors" ? ck.tensors : findStateDict(ck.root, path).stateDict;
  const keys = [...sd.keys()];
  if (keys.length > 0 && keys.every((k) => k.startsWith("module."))) {
    return new Map(keys.map((k) => [k.slice("module.".length), sd.get(k)!]));
  }
  return sd;
}
