/**
 * Swin checkpoint naming. Our Swin uses the official release's names (microsoft/Swin-Transformer;
 * checkpoints are `{'model': state_dict}`): `layers.i.downsample` is the patch merging at the END
 * of stage i (i = 0..2), the classifier is `head.*`, and every block persists
 * `attn.relative_position_index` (int64) and, for shifted blocks, `attn_mask` (float32).
 *
 * timm (>= 0.9, its `checkpoint_filter_fn` converts the release this way) instead places the merging
 * at the START of the next stage (`layers.{i+1}.downsample`, same parameters and channel order),
 * names the classifier `head.fc.*`, and does not persist the index and mask buffers. Converting timm
 * to official therefore renames two patterns and recomputes the two buffers from the geometry.
 */
import { type RawStateDict, type RawTensor } from "../raw.ts";
import { applyKeyMap, type KeyMap } from "./keymap.ts";

/** timm swin -> official Swin release names (buffers are added by timmSwinToOfficial). */
export const TIMM_SWIN_TO_OFFICIAL: KeyMap = {
  name: "timm swin -> official swin",
  rules: [
    { from: /^layers\.(\d+)\.downsample\./, to: (_m, i) => `layers.${Number(i) - 1}.downsample.` },
    { from: /^head\.fc\./, to: "head." },
  ],
  drop: [],
};

/** Official Swin release -> timm swin names (drops the buffers timm recomputes). */
export const OFFICIAL_SWIN_TO_TIMM: KeyMap = {
  name: "official swin -> timm swin",
  rules: [
    { from: /^layers\.(\d+)\.downsample\./, to: (_m, i) => `layers.${Number(i) + 1}.downsample.` },
    { from: /^head\./, to: "head.fc." },
  ],
  drop: [/\.relative_position_index$/, /\.attn_mask$/],
};

/** What fixes Swin's derived buffers: input size, patch size, window size and blocks per stage. */
export interface SwinGeometry {
  imgSize: number;
  patchSize: number;
  windowSize: number;
  depths: number[];
}

/** int64 [w*w, w*w]: index into the (2w-1)^2 relative position bias table for each token pair. */
export function relativePositionIndex(w: number): RawTensor {
  const n = w * w;
  const data = new Uint8Array(n * n * 8);
  const dv = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dh = Math.floor(i / w) - Math.floor(j / w) + w - 1;
      const dw = (i % w) - (j % w) + w - 1;
      dv.setBigInt64((i * n + j) * 8, BigInt(dh * (2 * w - 1) + dw), true);
    }
  }
  return { dtype: "int64", shape: [n, n], data };
}

/**
 * float32 [nW, w*w, w*w]: the official shifted-window mask for an `res` x `res` map; -100 between
 * tokens of a window that come from different regions after the cyclic shift, else 0.
 */
export function shiftedWindowMask(res: number, w: number, shift: number): RawTensor {
  const region = (x: number) => (x < res - w ? 0 : x < res - shift ? 1 : 2);
  const nw = res / w;
  const n = w * w;
  const data = new Uint8Array(nw * nw * n * n * 4);
  const dv = new DataView(data.buffer);
  const ids = new Array<number>(n);
  for (let wh = 0; wh < nw; wh++) {
    for (let ww = 0; ww < nw; ww++) {
      for (let t = 0; t < n; t++) ids[t] = region(wh * w + Math.floor(t / w)) * 3 + region(ww * w + (t % w));
      const base = (wh * nw + ww) * n * n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dv.setFloat32((base + i * n + j) * 4, ids[i] === ids[j] ? 0 : -100, true);
    }
  }
  return { dtype: "float32", shape: [nw * nw, n, n], data };
}

/**
 * The buffers the official release persists for `g`, by name. Follows the release's rule: where a
 * stage's map is no larger than the window, the window shrinks to the map and nothing shifts.
 */
export function swinDerivedBuffers(g: SwinGeometry): RawStateDict {
  const out: RawStateDict = new Map();
  let res = Math.floor(g.imgSize / g.patchSize);
  g.depths.forEach((depth, i) => {
    for (let j = 0; j < depth; j++) {
      let w = g.windowSize;
      let shift = j % 2 === 0 ? 0 : Math.floor(w / 2);
      if (res <= w) {
        w = res;
        shift = 0;
      }
      out.set(`layers.${i}.blocks.${j}.attn.relative_position_index`, relativePositionIndex(w));
      if (shift > 0) out.set(`layers.${i}.blocks.${j}.attn_mask`, shiftedWindowMask(res, w, shift));
    }
    if (i < g.depths.length - 1) res = Math.floor(res / 2);
  });
  return out;
}

/**
 * Reads the geometry from official or timm Swin weights: depths from the block indices, patch size
 * from `patch_embed.proj.weight` [C, 3, p, p], window from the first bias table ((2w-1)^2 rows).
 * The input size is not stored in the weights; pass it (default 224).
 */
export function inferSwinGeometry(sd: RawStateDict, imgSize = 224): SwinGeometry {
  const depths: number[] = [];
  for (const k of sd.keys()) {
    const m = /^layers\.(\d+)\.blocks\.(\d+)\./.exec(k);
    if (m) depths[Number(m[1])] = Math.max(depths[Number(m[1])] ?? 0, Number(m[2]) + 1);
  }
  const proj = sd.get("patch_embed.proj.weight");
  const table = sd.get("layers.0.blocks.0.attn.relative_position_bias_table");
  if (!proj || !table || depths.length === 0) {
    throw new Error("not Swin weights: need patch_embed.proj.weight and layers.0.blocks.0.attn.relative_position_bias_table");
  }
  const windowSize = (Math.round(Math.sqrt(table.shape[0])) + 1) / 2;
  return { imgSize, patchSize: proj.shape[3], windowSize, depths: Array.from(depths, (d) => d ?? 0) };
}

/**
 * timm Swin weights -> the official release's state dict: renames by TIMM_SWIN_TO_OFFICIAL and adds
 * the derived buffers for `geometry` (inferred for a 224 input when omitted).
 */
export function timmSwinToOfficial(sd: RawStateDict, geometry?: SwinGeometry): RawStateDict {
  const renamed = applyKeyMap(sd, TIMM_SWIN_TO_OFFICIAL);
  const g = geometry ?? inferSwinGeometry(renamed);
  const buffers = swinDerivedBuffers(g);
  // Keep the official order (a module's own buffers before its children's entries): each block's
  // attn_mask before its first entry, its index right after its bias table.
  const out: RawStateDict = new Map();
  for (const [k, v] of renamed) {
    const block = /^(layers\.\d+\.blocks\.\d+)\./.exec(k)?.[1];
    const mask = block && buffers.get(`${block}.attn_mask`);
    if (mask && !out.has(`${block}.attn_mask`)) out.set(`${block}.attn_mask`, mask);
    out.set(k, v);
    const idx = block && k.endsWith(".attn.relative_position_bias_table") && buffers.get(`${block}.attn.relative_position_index`);
    if (idx) out.set(`${block}.attn.relative_position_index`, idx);
  }
  for (const [k, v] of buffers) if (!out.has(k)) out.set(k, v);
  return out;
}
