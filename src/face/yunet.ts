/**
 * YuNet-n ("YuNet: A Tiny Millisecond-level Face Detector", Wu, Peng, Yu 2023; Apache-2.0, see
 * assets/yunet/README.md) on the engine, built from the authors' ONNX export.
 *
 * The export has its batch norms already folded into the convs, so each ONNX Conv becomes one
 * FrozenConv2d (oneDNN's kernels where libtorch has them; activations channels-last throughout,
 * since the nearest upsample does not run on oneDNN's opaque layout). Structure, named as in the
 * authors' libfacedetection.train (YuNet backbone, TFPN neck, YuNet head):
 *   backbone: stem (3x3 s2 conv + ReLU, ConvDP) · maxpool · 2 ConvDP · 2 ConvDP · maxpool ·
 *     2 ConvDP -> C3 (stride 8) · maxpool · 2 ConvDP -> C4 (16) · maxpool · 2 ConvDP -> C5 (32),
 *     where ConvDP = 1x1 conv, depthwise 3x3 conv, ReLU;
 *   neck: P5 = ConvDP(C5), P4 = ConvDP(C4 + up2(P5)), P3 = ConvDP(C3 + up2(P4));
 *   head: per level a shared ConvDP, then cls / bbox / obj / kps branches (1x1 conv, 3x3 conv),
 *     cls and obj through a sigmoid.
 * The graph is checked against this structure when loading (op set, conv attributes, channel
 * counts); anything else is refused with the node's name. Decoding and NMS are the pure code in
 * geometry/yunet-decode.ts, shared with the browser build.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkOnnxOps, intsAttr, readOnnxSync, scalarAttr, type OnnxGraph, type OnnxNode } from "../models/checkpoint/index.ts";
import { FrozenConv2d, type FrozenLayout } from "../nn/index.ts";
import { cat, fromArray, fromBytes, interpolate, maxPool2d, noGrad, pad, type Tensor } from "../tensor/index.ts";
import { resolveDetectorOptions, type FaceDetectorOptions } from "./geometry/detector-options.ts";
import { YUNET_STRIDES, yunetFaces, yunetInputGeometry, type YunetFace, type YunetStrideOutput } from "./geometry/yunet-decode.ts";
import { imageToTensor, type RgbImage } from "./image.ts";

/** The ONNX ops of the authors' export (the head's Shape/Gather/... chain computes its reshape). */
const OPS = ["Conv", "Relu", "MaxPool", "Resize", "Add", "Transpose", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "Sigmoid"];

/** The head branches in output order, with their channels per prior. */
const BRANCHES = [["cls", 1], ["bbox", 4], ["obj", 1], ["kps", 10]] as const;

/** The bundled model file (assets/yunet/yunet_n_dynamic.onnx). */
export function yunetModelPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "..", "assets", "yunet"), join(here, "..", "..", "..", "assets", "yunet")].map((d) => join(d, "yunet_n_dynamic.onnx"));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`YuNet model not found; looked for:\n  ${candidates.join("\n  ")}`);
  return found;
}

/** Hands out the graph's Conv nodes in order, checking each against what the structure expects. */
class ConvReader {
  private readonly convs: OnnxNode[];
  private next = 0;
  /** Every conv handed out, to free them when the graph turns out not to fit. */
  readonly made: FrozenConv2d[] = [];
  constructor(private readonly graph: OnnxGraph, private readonly layout: FrozenLayout, private readonly source: string) {
    this.convs = graph.nodes.filter((n) => n.opType === "Conv");
  }

  /** The next conv: kernel k, stride s, depthwise or not, input channels cin (checked). */
  take(k: number, s: number, cin: number, kind: "dense" | "depthwise" | "grouped-by-out"): FrozenConv2d {
    const node = this.convs[this.next++];
    if (!node) throw new Error(`${this.source}: not a YuNet graph (ran out of Conv nodes at #${this.next - 1})`);
    const wName = node.inputs[1], bName = node.inputs[2];
    const w = this.graph.initializers.get(wName), b = bName ? this.graph.initializers.get(bName) : undefined;
    if (!w || w.dtype !== "float32" || w.shape.length !== 4) throw new Error(`${this.source}: Conv '${node.name}' has no float32 4-d weight initializer '${wName}'`);
    const [cout, cinPerGroup, kh, kw] = w.shape;
    const g = scalarAttr(node, "group", 1);
    const strides = intsAttr(node, "strides", [1, 1]), pads = intsAttr(node, "pads", [0, 0, 0, 0]), dil = intsAttr(node, "dilations", [1, 1]);
    const wantGroups = kind === "dense" ? 1 : kind === "depthwise" ? cin : cout;
    const p = (k - 1) / 2;
    const ok = kh === k && kw === k && strides.every((v) => v === s) && pads.every((v) => v === p) && dil.every((v) => v === 1) && g === wantGroups && cinPerGroup * g === cin;
    if (!ok) {
      throw new Error(`${this.source}: not a YuNet graph: Conv '${node.name}' is ${kh}x${kw} stride [${strides}] pads [${pads}] group ${g} weight [${w.shape}], expected ${k}x${k} stride ${s} pad ${p} group ${wantGroups} on ${cin} channels`);
    }
    const conv = noGrad(() => {
      const wt = fromBytes(w.data, w.shape, "float32");
      const bt = b ? fromBytes(b.data, b.shape, "float32") : null;
      try {
        return new FrozenConv2d(wt, bt, { stride: s, padding: p, groups: g }, this.layout);
      } finally {
        wt.dispose();
        bt?.dispose();
      }
    });
    this.made.push(conv);
    return conv;
  }

  /** Throws unless every Conv node was used. */
  done(): void {
    if (this.next !== this.convs.length) throw new Error(`${this.source}: not a YuNet graph (${this.convs.length} Conv nodes, the structure uses ${this.next})`);
  }
}

/** 1x1 conv, depthwise 3x3 conv, ReLU (libfacedetection.train's ConvDPUnit). */
class ConvDP {
  readonly pw: FrozenConv2d;
  readonly dw: FrozenConv2d;
  constructor(r: ConvReader, cin: number) {
    this.pw = r.take(1, 1, cin, "dense");
    this.dw = r.take(3, 1, this.pw.outChannels, "depthwise");
  }
  get outChannels(): number {
    return this.dw.outChannels;
  }
  forward(x: Tensor): Tensor {
    const y = this.pw.forward(x);
    const z = this.dw.forward(y).relu_();
    y.dispose();
    return z;
  }
  dispose(): void {
    this.pw.dispose();
    this.dw.dispose();
  }
}

/** One head branch on one level: 1x1 conv then 3x3 conv, [B,C,h,w] -> [B,h*w,C]. */
class Branch {
  readonly c1: FrozenConv2d;
  readonly c2: FrozenConv2d;
  constructor(r: ConvReader, cin: number, readonly channels: number, readonly sigmoid: boolean) {
    this.c1 = r.take(1, 1, cin, "dense");
    this.c2 = r.take(3, 1, this.c1.outChannels, channels === 1 ? "dense" : "grouped-by-out");
    if (this.c2.outChannels !== channels) throw new Error(`not a YuNet graph: a head branch has ${this.c2.outChannels} outputs, expected ${channels}`);
  }
  forward(x: Tensor): Tensor {
    const a = this.c1.forward(x);
    const b = this.c2.forward(a);
    const p = b.permute([0, 2, 3, 1]);
    const r = p.reshape([x.shape[0], -1, this.channels]);
    for (const t of [a, b, p]) t.dispose();
    if (!this.sigmoid) return r;
    const s = r.sigmoid();
    r.dispose();
    return s;
  }
  dispose(): void {
    this.c1.dispose();
    this.c2.dispose();
  }
}

/** Raw outputs for a batch: per stride, cls / obj [B,n,1], bbox [B,n,4], kps [B,n,10]. */
export interface YunetRawOutput {
  stride: number;
  cls: Tensor;
  obj: Tensor;
  bbox: Tensor;
  kps: Tensor;
}

/** YuNet-n on the engine. Owns its tensors: call dispose(). */
export class YuNet {
  private readonly stem: FrozenConv2d;
  private readonly stages: ConvDP[][];
  private readonly lateral: ConvDP[]; // applied to C5, C4 + up, C3 + up
  private readonly share: ConvDP[]; // per level P3, P4, P5
  private readonly heads: Branch[][]; // [branch][level] as the graph orders them
  private disposed = false;

  /**
   * Builds from a decoded ONNX graph (the authors' yunet_n/s_dynamic export). `source` names it in
   * errors. Throws for other graphs (unsupported ops, unexpected conv shapes).
   */
  constructor(graph: OnnxGraph, readonly layout: FrozenLayout = "channels_last", source = "YuNet model") {
    checkOnnxOps(graph, OPS, source);
    if (graph.inputs.length !== 1) throw new Error(`${source}: expected one graph input, got ${graph.inputs.length}`);
    const r = new ConvReader(graph, layout, source);
    try {
      this.stem = r.take(3, 2, 3, "dense");
      let c = this.stem.outChannels;
      const unit = (): ConvDP => {
        const u = new ConvDP(r, c);
        c = u.outChannels;
        return u;
      };
      this.stages = [[unit()], [unit(), unit()], [unit(), unit()], [unit(), unit()], [unit(), unit()], [unit(), unit()]];
      const cC3 = this.stages[3][1].outChannels, cC4 = this.stages[4][1].outChannels;
      this.lateral = [new ConvDP(r, c)];
      const l1 = new ConvDP(r, cC4);
      const l0 = new ConvDP(r, cC3);
      this.lateral.push(l1, l0);
      const levelIn = [l0.outChannels, l1.outChannels, this.lateral[0].outChannels];
      this.share = levelIn.map((ci) => new ConvDP(r, ci));
      this.heads = BRANCHES.map(([name, ch]) => this.share.map((s) => new Branch(r, s.outChannels, ch, name === "cls" || name === "obj")));
      r.done();
    } catch (err) {
      for (const c of r.made) c.dispose();
      throw err;
    }
  }

  /** Loads the bundled YuNet-n (or the ONNX file at `path`). */
  static load(path = yunetModelPath(), layout: FrozenLayout = "channels_last"): YuNet {
    return new YuNet(readOnnxSync(path), layout, path);
  }

  /**
   * Raw outputs for x [B,3,H,W] float32, BGR 0..255, H and W multiples of 32 (the ONNX graph's
   * outputs, same order of priors).
   */
  forwardRaw(x: Tensor): YunetRawOutput[] {
    if (this.disposed) throw new Error("YuNet: used after dispose()");
    const [, ch, H, W] = x.shape;
    if (x.shape.length !== 4 || ch !== 3 || H % 32 || W % 32 || H === 0 || W === 0) throw new RangeError(`YuNet.forwardRaw: expected [B,3,H,W] with H and W multiples of 32, got [${x.shape}]`);
    return noGrad(() => {
      const input = x.contiguous("channels_last");
      let cur = this.stem.forward(input).relu_();
      input.dispose();
      const feats: Tensor[] = [];
      this.stages.forEach((stage, i) => {
        if (i === 1 || i >= 3) { // the graph pools after the stem's stage and stages 2, 3, 4
          const p = maxPool2d(cur, 2, { stride: 2 });
          if (!feats.includes(cur)) cur.dispose();
          cur = p;
        }
        for (const u of stage) {
          const y = u.forward(cur);
          if (!feats.includes(cur)) cur.dispose();
          cur = y;
        }
        if (i >= 3) feats.push(cur); // C3, C4, C5
      });
      const [c3, c4, c5] = feats;
      const up = (t: Tensor) => interpolate(t, [t.shape[2] * 2, t.shape[3] * 2], "nearest");
      const p5 = this.lateral[0].forward(c5);
      const u5 = up(p5);
      const s4 = u5.add_(c4);
      const p4 = this.lateral[1].forward(s4);
      s4.dispose();
      const u4 = up(p4);
      const s3 = u4.add_(c3);
      const p3 = this.lateral[2].forward(s3);
      s3.dispose();
      for (const t of feats) t.dispose();
      const levels = [p3, p4, p5].map((p, i) => this.share[i].forward(p));
      for (const t of [p3, p4, p5]) t.dispose();
      const out = YUNET_STRIDES.map((stride, i) => {
        const [cls, bbox, obj, kps] = this.heads.map((branch) => branch[i].forward(levels[i]));
        return { stride, cls, obj, bbox, kps };
      });
      for (const t of levels) t.dispose();
      return out;
    });
  }

  /** The raw outputs of forwardRaw as per-image Float32Arrays (outputs[image][stride]); disposes them. */
  static toArrays(raw: YunetRawOutput[]): YunetStrideOutput[][] {
    const B = raw[0].cls.shape[0];
    const per = raw.map((r) => ({ cls: r.cls.data<"float32">(), obj: r.obj.data<"float32">(), bbox: r.bbox.data<"float32">(), kps: r.kps.data<"float32">(), n: r.cls.shape[1] }));
    for (const r of raw) for (const t of [r.cls, r.obj, r.bbox, r.kps]) t.dispose();
    const out: YunetStrideOutput[][] = [];
    for (let b = 0; b < B; b++) {
      out.push(per.map((p) => ({
        cls: p.cls.subarray(b * p.n, (b + 1) * p.n),
        obj: p.obj.subarray(b * p.n, (b + 1) * p.n),
        bbox: p.bbox.subarray(4 * b * p.n, 4 * (b + 1) * p.n),
        kps: p.kps.subarray(10 * b * p.n, 10 * (b + 1) * p.n),
      })));
    }
    return out;
  }

  /**
   * The network input for same-sized frames: [B,3,H',W'] float32 BGR 0..255, each frame scaled by
   * `scale` (bilinear with antialiasing when < 1) to width x height, zero-padded at the bottom and
   * right to inputWidth x inputHeight (yunetInputGeometry).
   */
  preprocess(frames: readonly RgbImage[], g: ReturnType<typeof yunetInputGeometry>): Tensor {
    return noGrad(() => {
      const parts = frames.map((f) => imageToTensor(f));
      let x = parts.length === 1 ? parts[0] : cat(parts, 0);
      if (parts.length > 1) for (const t of parts) t.dispose();
      if (g.scale < 1) {
        const r = interpolate(x, [g.height, g.width], "bilinear", false, true);
        x.dispose();
        x = r;
      }
      const bgrIdx = fromArray(Int32Array.from([2, 1, 0]), [3]);
      const bgr = x.indexSelect(1, bgrIdx);
      for (const t of [x, bgrIdx]) t.dispose();
      if (g.inputWidth === g.width && g.inputHeight === g.height) return bgr;
      const padded = pad(bgr, [0, g.inputWidth - g.width, 0, g.inputHeight - g.height]);
      bgr.dispose();
      return padded;
    });
  }

  /**
   * Faces in each frame (frames of one size, e.g. a video batch), best first, boxes and 5 points
   * in frame pixels. Options: scoreThreshold, nmsThreshold, maxFaces, detectorSize (defaults in
   * DETECTOR_DEFAULTS.yunet).
   */
  detectBatch(frames: readonly RgbImage[], opts: FaceDetectorOptions = {}): YunetFace[][] {
    if (frames.length === 0) return [];
    const o = resolveDetectorOptions({ ...opts, detector: "yunet" }, "YuNet.detect");
    const { width, height } = frames[0];
    for (const f of frames) if (f.width !== width || f.height !== height) throw new RangeError(`YuNet.detectBatch: frames must share one size, got ${width}x${height} and ${f.width}x${f.height}`);
    if (width < 2 || height < 2) return frames.map(() => []);
    const g = yunetInputGeometry(width, height, o.detectorSize);
    const x = this.preprocess(frames, g);
    const outs = YuNet.toArrays(this.forwardRaw(x));
    x.dispose();
    // Boxes come back in the scaled frame's pixels: width / g.width undoes the resize exactly.
    const post = { scoreThreshold: o.scoreThreshold, nmsThreshold: o.nmsThreshold, maxFaces: o.maxFaces, scale: width / g.width, imageWidth: width, imageHeight: height };
    return outs.map((out) => yunetFaces(out, g.inputWidth, g.inputHeight, post));
  }

  /** Faces in one image (see detectBatch). */
  detect(img: RgbImage, opts: FaceDetectorOptions = {}): YunetFace[] {
    return this.detectBatch([img], opts)[0];
  }

  /** Frees the weight tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.stem.dispose();
    for (const u of [...this.stages.flat(), ...this.lateral, ...this.share]) u.dispose();
    for (const b of this.heads.flat()) b.dispose();
    this.disposed = true;
  }
}
