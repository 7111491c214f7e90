/**
 * Swin Transformer (Liu et al., ICCV 2021) with the official release's parameter and buffer names
 * (microsoft/Swin-Transformer, `{'model': state_dict}`), so its ImageNet weights load unchanged:
 * `patch_embed.proj`, `layers.i.blocks.j.{norm1,attn.{relative_position_bias_table,
 * relative_position_index,qkv,proj},norm2,mlp.{fc1,fc2}}`, `layers.j.attn_mask` on shifted blocks,
 * `layers.i.downsample` (merging at the END of stage i), `norm`, `head`.
 * As an AUNCE backbone it returns the tokens after the final LayerNorm: [B, 49, C] at 224x224.
 *
 * Input sizes: the model is built for `imgSize` (the persisted masks are for that size, as in the
 * release). Other sizes follow the official detection code's rules: the image is padded right/bottom
 * to a multiple of the patch, each block pads its map to a multiple of its window (masks for the
 * padded map are computed and cached), and an odd map is padded before merging. At the build size
 * nothing is padded and results equal the release's.
 */
import { fromArray, pad, roll, tidy, type Tensor } from "../../tensor/index.ts";
import { Conv2d, DropPath, LayerNorm, Linear, Module, ModuleBuffer, ModuleList, Parameter, init } from "../../nn/index.ts";
import { gelu, softmax, zeros } from "../../tensor/index.ts";

// ---- helpers ----

/** int64 [w*w, w*w]: the relative position of token j seen from token i, as a row of the bias table. */
function relativePositionIndex(w: number): Tensor {
  const n = w * w;
  const idx = new BigInt64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dh = Math.floor(i / w) - Math.floor(j / w) + w - 1;
      const dw = (i % w) - (j % w) + w - 1;
      idx[i * n + j] = BigInt(dh * (2 * w - 1) + dw);
    }
  }
  return fromArray(idx, [n, n]);
}

/**
 * float32 [nW, w*w, w*w]: the shifted-window attention mask for an h x w map (both multiples of the
 * window `ws`): after the cyclic shift by `shift`, tokens of one window that come from different
 * regions get -100 (the release's value, not -inf), others 0. Windows in row-major order.
 */
function shiftedWindowMask(h: number, w: number, ws: number, shift: number): Tensor {
  const region = (x: number, size: number) => (x < size - ws ? 0 : x < size - shift ? 1 : 2);
  const nh = h / ws;
  const nw = w / ws;
  const n = ws * ws;
  const data = new Float32Array(nh * nw * n * n);
  const ids = new Array<number>(n);
  for (let wh = 0; wh < nh; wh++) {
    for (let ww = 0; ww < nw; ww++) {
      for (let t = 0; t < n; t++) ids[t] = region(wh * ws + Math.floor(t / ws), h) * 3 + region(ww * ws + (t % ws), w);
      const base = (wh * nw + ww) * n * n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[base + i * n + j] = ids[i] === ids[j] ? 0 : -100;
    }
  }
  return fromArray(data, [nh * nw, n, n]);
}

/** [B, H, W, C] -> [B*nW, ws*ws, C] (windows in row-major order). */
function windowPartition(x: Tensor, ws: number): Tensor {
  const [b, h, w, c] = x.shape;
  return tidy(() => x.view([b, h / ws, ws, w / ws, ws, c]).permute([0, 1, 3, 2, 4, 5]).reshape([-1, ws * ws, c]));
}

/** [B*nW, ws*ws, C] -> [B, H, W, C]. */
function windowReverse(x: Tensor, ws: number, b: number, h: number, w: number): Tensor {
  const c = x.shape[2];
  return tidy(() => x.view([b, h / ws, w / ws, ws, ws, c]).permute([0, 1, 3, 2, 4, 5]).reshape([b, h, w, c]));
}

/** Linear layers as the release initialises them: weight ~ truncated N(0, 0.02), bias 0. */
function swinLinear(cin: number, cout: number, bias = true): Linear {
  const l = new Linear(cin, cout, bias);
  init.truncNormal_(l.weight, 0, 0.02);
  if (l.bias) init.zeros_(l.bias);
  return l;
}

// ---- blocks ----

class Mlp extends Module {
  fc1: Linear;
  fc2: Linear;
  constructor(dim: number, hidden: number) {
    super();
    this.fc1 = swinLinear(dim, hidden);
    this.fc2 = swinLinear(hidden, dim);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.fc2.forward(gelu(this.fc1.forward(x))));
  }
}

/** Multi-head self-attention inside windows, with a learned bias per relative position and head. */
class WindowAttention extends Module {
  relative_position_bias_table: Parameter;
  relative_position_index: ModuleBuffer;
  qkv: Linear;
  proj: Linear;
  readonly scale: number;

  constructor(readonly dim: number, readonly windowSize: number, readonly numHeads: number) {
    super();
    if (dim % numHeads !== 0) throw new RangeError(`WindowAttention: dim ${dim} is not divisible by numHeads ${numHeads}`);
    this.scale = (dim / numHeads) ** -0.5;
    this.relative_position_bias_table = new Parameter(init.truncNormal_(zeros([(2 * windowSize - 1) ** 2, numHeads]), 0, 0.02));
    this.relative_position_index = new ModuleBuffer(relativePositionIndex(windowSize));
    this.qkv = swinLinear(dim, 3 * dim);
    this.proj = swinLinear(dim, dim);
  }

  /** The index as int64 [N*N] (a module-wide dtype conversion may have cast the buffer). */
  private indexFlat(): Tensor {
    const flat = this.relative_position_index.view([-1]);
    return flat.dtype === "int64" ? flat : flat.to("int64");
  }

  /** x [B*nW, N, C], mask [nW, N, N] or null -> [B*nW, N, C] */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    return tidy(() => {
      const [bw, n, c] = x.shape;
      const h = this.numHeads;
      const qkv = this.qkv.forward(x).reshape([bw, n, 3, h, c / h]).permute([2, 0, 3, 1, 4]);
      // Inner scopes release the [bw, h, n, n] temporaries as soon as the softmax exists (as
      // Python's refcount does), instead of holding them to the end of the block: measured here,
      // holding them made the Swin-T step ~15% slower than PyTorch's.
      const probs = tidy(() => {
        const q = qkv.select(0, 0).mul(this.scale);
        let attn = q.matmul(qkv.select(0, 1).transpose(-2, -1)); // [bw, h, n, n]
        const bias = this.relative_position_bias_table
          .indexSelect(0, this.indexFlat())
          .view([n, n, h])
          .permute([2, 0, 1])
          .contiguous();
        attn = attn.add(bias);
        if (mask) {
          const nw = mask.shape[0];
          attn = attn.view([bw / nw, nw, h, n, n]).add(mask.unsqueeze(1)).view([bw, h, n, n]);
        }
        return softmax(attn, -1);
      });
      const out = tidy(() => probs.matmul(qkv.select(0, 2)).transpose(1, 2).reshape([bw, n, c])); // [bw, n, c]
      return this.proj.forward(out);
    });
  }
}

/** One Swin block: (shifted) window attention and an MLP, each pre-norm with a residual. */
class SwinTransformerBlock extends Module {
  /** The release persists the mask of shifted blocks for the build resolution. */
  attn_mask: ModuleBuffer | null;
  norm1: LayerNorm;
  attn: WindowAttention;
  drop_path: DropPath;
  norm2: LayerNorm;
  mlp: Mlp;
  readonly windowSize: number;
  readonly shiftSize: number;
  /** Masks for padded/other map sizes, by "h x w device dtype" (not part of the state dict). */
  private readonly maskCache = new Map<string, Tensor>();

  constructor(dim: number, readonly resolution: number, numHeads: number, windowSize: number, shiftSize: number, mlpRatio: number, dropPath: number) {
    super();
    // The release's rule: a map no larger than the window is one window, and nothing shifts.
    if (resolution <= windowSize) {
      windowSize = resolution;
      shiftSize = 0;
    }
    this.windowSize = windowSize;
    this.shiftSize = shiftSize;
    this.attn_mask = shiftSize > 0 ? new ModuleBuffer(shiftedWindowMask(resolution, resolution, windowSize, shiftSize)) : null;
    this.norm1 = new LayerNorm(dim);
    this.attn = new WindowAttention(dim, windowSize, numHeads);
    this.drop_path = new DropPath(dropPath);
    this.norm2 = new LayerNorm(dim);
    this.mlp = new Mlp(dim, Math.floor(dim * mlpRatio));
  }

  private maskFor(h: number, w: number, like: Tensor): Tensor | null {
    if (this.shiftSize === 0) return null;
    if (h === this.resolution && w === this.resolution && this.attn_mask) return this.attn_mask;
    const key = `${h}x${w} ${like.device} ${like.dtype}`;
    let m = this.maskCache.get(key);
    if (!m) {
      m = tidy(() => shiftedWindowMask(h, w, this.windowSize, this.shiftSize).toDevice(like.device).to(like.dtype));
      m.kept = true;
      this.maskCache.set(key, m);
    }
    return m;
  }

  /** x [B, H*W, C] -> [B, H*W, C] */
  forward(x: Tensor, h: number, w: number): Tensor {
    return tidy(() => {
      const [b, l, c] = x.shape;
      if (l !== h * w) throw new RangeError(`SwinTransformerBlock: ${l} tokens do not form a ${h}x${w} map`);
      const ws = this.windowSize;
      const s = this.shiftSize;
      const hp = Math.ceil(h / ws) * ws;
      const wp = Math.ceil(w / ws) * ws;
      const windows = tidy(() => {
        let y = this.norm1.forward(x).view([b, h, w, c]);
        if (hp !== h || wp !== w) y = pad(y, [0, 0, 0, wp - w, 0, hp - h]);
        if (s > 0) y = roll(y, [-s, -s], [1, 2]);
        return windowPartition(y, ws);
      });
      const branch = tidy(() => {
        let y = windowReverse(this.attn.forward(windows, this.maskFor(hp, wp, x)), ws, b, hp, wp);
        if (s > 0) y = roll(y, [s, s], [1, 2]);
        if (hp !== h || wp !== w) y = y.narrow(1, 0, h).narrow(2, 0, w);
        return this.drop_path.forward(y.reshape([b, l, c]));
      });
      const x1 = x.add(branch);
      return x1.add(tidy(() => this.drop_path.forward(this.mlp.forward(this.norm2.forward(x1)))));
    });
  }

  override dispose(): void {
    super.dispose();
    for (const m of this.maskCache.values()) m.dispose();
    this.maskCache.clear();
  }
}

/** Patch merging: 2x2 neighbours concatenated in the release's order (x0,x1,x2,x3), LayerNorm, Linear 4C -> 2C. */
class PatchMerging extends Module {
  reduction: Linear;
  norm: LayerNorm;
  constructor(dim: number) {
    super();
    this.reduction = swinLinear(4 * dim, 2 * dim, false);
    this.norm = new LayerNorm(4 * dim);
  }
  /** x [B, H*W, C] -> [B, ceil(H/2)*ceil(W/2), 2C] */
  forward(x: Tensor, h: number, w: number): Tensor {
    return tidy(() => {
      const [b, , c] = x.shape;
      let y = x.view([b, h, w, c]);
      if (h % 2 || w % 2) y = pad(y, [0, 0, 0, w % 2, 0, h % 2]);
      const h2 = Math.ceil(h / 2);
      const w2 = Math.ceil(w / 2);
      // [B, h2, dh, w2, dw, C] -> [B, h2, w2, dw, dh, C]: channel block k = dh + 2*dw, i.e. the
      // release's x0 = [0::2, 0::2], x1 = [1::2, 0::2], x2 = [0::2, 1::2], x3 = [1::2, 1::2].
      y = y.view([b, h2, 2, w2, 2, c]).permute([0, 1, 3, 4, 2, 5]).reshape([b, h2 * w2, 4 * c]);
      return this.reduction.forward(this.norm.forward(y));
    });
  }
}

/** One stage: blocks, then (except in the last stage) patch merging. */
class BasicLayer extends Module {
  blocks: ModuleList<SwinTransformerBlock>;
  downsample: PatchMerging | null;
  constructor(dim: number, resolution: number, depth: number, numHeads: number, windowSize: number, mlpRatio: number, dpr: number[], merge: boolean) {
    super();
    this.blocks = new ModuleList(
      Array.from({ length: depth }, (_, j) => new SwinTransformerBlock(dim, resolution, numHeads, windowSize, j % 2 === 0 ? 0 : Math.floor(windowSize / 2), mlpRatio, dpr[j])),
    );
    this.downsample = merge ? new PatchMerging(dim) : null;
  }
  /** x [B, H*W, C] -> [tokens, H', W'] */
  forward(x: Tensor, h: number, w: number): [Tensor, number, number] {
    let cur = x;
    for (const blk of this.blocks) {
      const next = blk.forward(cur, h, w);
      if (cur !== x) cur.dispose();
      cur = next;
    }
    if (!this.downsample) return [cur === x ? x.alias() : cur, h, w];
    const out = this.downsample.forward(cur, h, w);
    if (cur !== x) cur.dispose();
    return [out, Math.ceil(h / 2), Math.ceil(w / 2)];
  }
}

/** Conv patch x patch, stride patch, then LayerNorm over channels. */
class PatchEmbed extends Module {
  proj: Conv2d;
  norm: LayerNorm;
  constructor(readonly patchSize: number, embedDim: number) {
    super();
    this.proj = new Conv2d(3, embedDim, patchSize, { stride: patchSize });
    this.norm = new LayerNorm(embedDim);
  }
  /** x [B, 3, H, W] -> [tokens [B, h*w, C], h, w] with h = ceil(H/p), w = ceil(W/p) */
  forward(x: Tensor): [Tensor, number, number] {
    const p = this.patchSize;
    const [, , hh, ww] = x.shape;
    const out = tidy(() => {
      const padded = hh % p || ww % p ? pad(x, [0, (p - (ww % p)) % p, 0, (p - (hh % p)) % p]) : x;
      return this.norm.forward(this.proj.forward(padded).flatten(2).transpose(1, 2));
    });
    return [out, Math.ceil(hh / p), Math.ceil(ww / p)];
  }
}

// ---- model ----

export interface SwinConfig {
  embedDim: number;
  depths: number[];
  numHeads: number[];
  /** Build input size (default 224): fixes the persisted masks and where windows shrink. */
  imgSize?: number;
  patchSize?: number;
  windowSize?: number;
  mlpRatio?: number;
  /** Stochastic depth, rising linearly from 0 to this over all blocks (release: T 0.2, S 0.3, B 0.5). */
  dropPathRate?: number;
  /** Classifier outputs; 0 leaves out `head` (a feature backbone, as ME-GraphAU sets head = None). Default 1000. */
  numClasses?: number;
}

export class SwinTransformer extends Module {
  patch_embed: PatchEmbed;
  layers: ModuleList<BasicLayer>;
  norm: LayerNorm;
  head: Linear | null;
  /** Channels of the final tokens (embedDim * 2^(stages-1)). */
  readonly numFeatures: number;

  constructor(readonly config: SwinConfig) {
    super();
    const img = config.imgSize ?? 224;
    const patch = config.patchSize ?? 4;
    const ws = config.windowSize ?? 7;
    const mlpRatio = config.mlpRatio ?? 4;
    const rate = config.dropPathRate ?? 0.1;
    const { depths, numHeads, embedDim } = config;
    if (numHeads.length !== depths.length) throw new RangeError(`SwinTransformer: depths [${depths}] and numHeads [${numHeads}] differ in length`);
    const total = depths.reduce((a, b) => a + b, 0);
    const dpr = Array.from({ length: total }, (_, i) => (total > 1 ? (rate * i) / (total - 1) : 0));
    this.patch_embed = new PatchEmbed(patch, embedDim);
    let res = Math.floor(img / patch);
    let offset = 0;
    const layers: BasicLayer[] = [];
    depths.forEach((depth, i) => {
      const last = i === depths.length - 1;
      layers.push(new BasicLayer(embedDim * 2 ** i, res, depth, numHeads[i], ws, mlpRatio, dpr.slice(offset, offset + depth), !last));
      offset += depth;
      if (!last) res = Math.floor(res / 2);
    });
    this.layers = new ModuleList(layers);
    this.numFeatures = embedDim * 2 ** (depths.length - 1);
    this.norm = new LayerNorm(this.numFeatures);
    const numClasses = config.numClasses ?? 1000;
    this.head = numClasses > 0 ? swinLinear(this.numFeatures, numClasses) : null;
  }

  /** x [B,3,H,W] -> tokens after the final LayerNorm [B, h*w, C] (49 tokens at 224). */
  forwardFeatures(x: Tensor): Tensor {
    let [cur, h, w] = this.patch_embed.forward(x);
    for (const layer of this.layers) {
      const [next, h2, w2] = layer.forward(cur, h, w);
      cur.dispose();
      [cur, h, w] = [next, h2, w2];
    }
    const out = this.norm.forward(cur);
    cur.dispose();
    return out;
  }

  /** The AUNCE backbone output: tokens [B, L, C] (token = h*W + w), as forwardFeatures. */
  forwardTokens(x: Tensor): Tensor {
    return this.forwardFeatures(x);
  }

  /** x [B,3,H,W] -> logits [B, numClasses] (mean over tokens, then head; requires head). */
  forward(x: Tensor): Tensor {
    if (!this.head) throw new Error("SwinTransformer.forward: built without a classifier (numClasses 0); use forwardFeatures or forwardTokens");
    const f = this.forwardFeatures(x);
    const out = tidy(() => this.head!.forward(f.mean(1)));
    f.dispose();
    return out;
  }
}

/** The release's variants (window 7, 224), as data; plus a tiny test variant. */
export const swinVariants: Record<string, SwinConfig> = {
  swin_t: { embedDim: 96, depths: [2, 2, 6, 2], numHeads: [3, 6, 12, 24], dropPathRate: 0.2 },
  swin_s: { embedDim: 96, depths: [2, 2, 18, 2], numHeads: [3, 6, 12, 24], dropPathRate: 0.3 },
  swin_b: { embedDim: 128, depths: [2, 2, 18, 2], numHeads: [4, 8, 16, 32], dropPathRate: 0.5 },
  /** Tiny test variant (64x64, window 4): its last stage is smaller than the window, so it shrinks. */
  swin_tiny_test: { imgSize: 64, embedDim: 8, depths: [2, 2, 2, 2], numHeads: [1, 2, 2, 4], windowSize: 4, dropPathRate: 0.1, numClasses: 5 },
};

/** Builds a Swin variant by name; `numClasses: 0` gives a feature backbone. */
export function createSwin(name: string, overrides: Partial<SwinConfig> = {}): SwinTransformer {
  const cfg = swinVariants[name];
  if (!cfg) throw new Error(`unknown Swin variant '${name}' (known: ${Object.keys(swinVariants).join(", ")})`);
  return new SwinTransformer({ ...cfg, ...overrides });
}
