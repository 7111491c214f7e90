/**
 * Trainable AU-model backbones ported from @vladmandic/face-api 1.7.15 (MIT; networks trained on
 * real faces by justadudewhohacks for face-api.js), initialised from the weights bundled in
 * assets/face-api (the frozen inference ports of the same nets live in src/face):
 *
 * - `FaceApiFeatureExtractor` (`faceapi_expression`): face-api's FaceFeatureExtractor, 4 dense
 *   blocks of depthwise-separable convs (TF "same" padding), with the face-expression net's
 *   weights; tokens = the 256-channel map (7x7 = 49 tokens at 112).
 * - `FaceApiRecognitionNet` (`faceapi_recognition`): face-api's FaceRecognitionNet (a
 *   ResNet-34-like net, 150x150 in, 128-D descriptor); tokens = its last conv map before the global
 *   mean and FC (256 channels; 2x2 at 150, 1x1 at 112). The per-channel "scale" layer after every
 *   conv is folded into the conv's weight and bias at load (the same function, fewer ops).
 *
 * Inputs are what the AU pipeline feeds every backbone: RGB in 0..1 normalised with aunce-spec §5's
 * mean/std. face-api's nets expect (RGB * 255 - mean RGB) / 255; forwardFeatures undoes the AU
 * normalisation and applies face-api's as one per-channel affine map (non-persistent buffers, so
 * state dicts hold only the weights and checkpoints, detect and ONNX export see a plain backbone).
 */
import { join } from "node:path";
import { avgPool2d, cat, fromArray, maxPool2d, pad, tidy, type Tensor } from "../../tensor/index.ts";
import { Conv2d, Linear, Module, ModuleBuffer, Sequential } from "../../nn/index.ts";
import { faceApiAssetsDir, readTfWeights, type TfWeight } from "../checkpoint/tfjs.ts";
import { convWeight, depthwiseWeight, SameConv2d } from "./tf-layers.ts";

/** face-api's mean RGB (0..255), subtracted before its /255. */
export const FACEAPI_MEAN_RGB = [122.782, 117.001, 104.298] as const;
/**
 * The AU pipeline's input normalisation (aunce-spec §5; src/data's MEAN / STD, which this layer may
 * not import: a test checks they agree).
 */
export const AU_INPUT_NORMALISATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] } as const;

/** Applies f to x and releases x. */
function then(x: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const y = f(x);
  x.dispose();
  return y;
}

/** Per-channel affine map from AU-normalised input to face-api's: x * std + (mean - meanRgb / 255). */
function inputAffine(norm: { mean: readonly number[]; std: readonly number[] }): { scale: ModuleBuffer; shift: ModuleBuffer } {
  const scale = Float32Array.from(norm.std);
  const shift = Float32Array.from(norm.mean.map((m, c) => m - FACEAPI_MEAN_RGB[c] / 255));
  return { scale: new ModuleBuffer(fromArray(scale, [1, 3, 1, 1]), false), shift: new ModuleBuffer(fromArray(shift, [1, 3, 1, 1]), false) };
}

/** Options of both face-api backbones. */
export interface FaceApiBackboneOptions {
  /** Folder of the tfjs weights (default the bundled assets/face-api). */
  weightsDir?: string;
  /** false: random init (tests of the layout only); default true, face-api's weights. */
  pretrained?: boolean;
  /** Input normalisation the backbone is fed (default aunce-spec §5's). */
  normalisation?: { mean: readonly number[]; std: readonly number[] };
}

function lookup(weights: Map<string, TfWeight>, net: string): (name: string) => TfWeight {
  return (name) => {
    const w = weights.get(name);
    if (!w) throw new Error(`${net}: weight '${name}' missing from the manifest`);
    return w;
  };
}

const vec = (w: TfWeight) => fromArray(w.data, w.shape);

// ---------------------------------------------------------------------------------------------
// FaceFeatureExtractor (expression / landmark nets)

/** TF separableConv2d: depthwise 3x3 (no bias, TF "same") then pointwise 1x1 with bias. */
export class SeparableConv extends Module {
  depthwise: SameConv2d;
  pointwise: Conv2d;
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.depthwise = new SameConv2d(cin, cin, 3, { stride, groups: cin, bias: false });
    this.pointwise = new Conv2d(cin, cout, 1);
  }
  forward(x: Tensor): Tensor {
    return then(this.depthwise.forward(x), (t) => this.pointwise.forward(t));
  }
}

/**
 * face-api's denseBlock4: out1 = relu(conv0 x); out_k = conv_k(relu(out1 + ... + out_{k-1}));
 * output relu(out1 + ... + out4). conv0 halves the size (a plain conv in the first block).
 */
export class DenseBlock4 extends Module {
  conv0: SameConv2d | SeparableConv;
  conv1: SeparableConv;
  conv2: SeparableConv;
  conv3: SeparableConv;
  constructor(cin: number, cout: number, first: boolean) {
    super();
    this.conv0 = first ? new SameConv2d(cin, cout, 3, { stride: 2 }) : new SeparableConv(cin, cout, 2);
    this.conv1 = new SeparableConv(cout, cout, 1);
    this.conv2 = new SeparableConv(cout, cout, 1);
    this.conv3 = new SeparableConv(cout, cout, 1);
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const out1 = this.conv0.forward(x).relu();
      let sum = out1;
      for (const c of [this.conv1, this.conv2, this.conv3]) sum = sum.add(c.forward(sum === out1 ? out1 : sum.relu()));
      return sum.relu();
    });
  }
}

/**
 * What the two face-api backbones share: the affine that maps AU-normalised input to face-api's,
 * 256 features, tokens from the last map, and loading a converted state dict.
 */
abstract class FaceApiBackbone extends Module {
  input_scale: ModuleBuffer;
  input_shift: ModuleBuffer;
  readonly numFeatures = 256;

  constructor(opts: FaceApiBackboneOptions) {
    super();
    const a = inputAffine(opts.normalisation ?? AU_INPUT_NORMALISATION);
    this.input_scale = a.scale;
    this.input_shift = a.shift;
  }

  /** x [B,3,H,W] (AU-normalised) -> the last feature map [B,256,h,w]. */
  abstract forwardFeatures(x: Tensor): Tensor;

  /** Loads `state` strictly, then releases its tensors. */
  protected loadConverted(state: Map<string, Tensor>): void {
    try {
      this.loadStateDict(state, { strict: true });
    } finally {
      for (const t of state.values()) t.dispose();
    }
  }

  /** AU-normalised input -> face-api's ((RGB*255 - mean) / 255). */
  toFaceApiInput(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new RangeError(`faceapi backbone: expected images [B, 3, H, W], got [${x.shape}]`);
    return tidy(() => x.mul(this.input_scale).add(this.input_shift));
  }

  forwardTokens(x: Tensor): Tensor {
    return tokensOf(this.forwardFeatures(x));
  }

  forward(x: Tensor): Tensor {
    return this.forwardFeatures(x);
  }
}

/** The expression net's feature extractor as a trainable backbone. */
export class FaceApiFeatureExtractor extends FaceApiBackbone {
  dense0: DenseBlock4;
  dense1: DenseBlock4;
  dense2: DenseBlock4;
  dense3: DenseBlock4;
  /** Manifest the weights come from (in the weights folder). */
  static readonly MANIFEST = "face_expression_model-weights_manifest.json";

  constructor(opts: FaceApiBackboneOptions = {}) {
    super(opts);
    this.dense0 = new DenseBlock4(3, 32, true);
    this.dense1 = new DenseBlock4(32, 64, false);
    this.dense2 = new DenseBlock4(64, 128, false);
    this.dense3 = new DenseBlock4(128, 256, false);
    if (opts.pretrained ?? true) this.loadTfWeights(readTfWeights(join(opts.weightsDir ?? faceApiAssetsDir(), FaceApiFeatureExtractor.MANIFEST)));
  }

  /** Copies face-api's weights (names as in the expression / landmark manifests; the fc is ignored). */
  loadTfWeights(weights: Map<string, TfWeight>): void {
    const get = lookup(weights, "FaceApiFeatureExtractor");
    const state = new Map<string, Tensor>();
    for (let i = 0; i < 4; i++) {
      const p = `dense${i}`;
      if (i === 0) {
        state.set(`${p}.conv0.weight`, convWeight(get(`${p}/conv0/filters`)));
        state.set(`${p}.conv0.bias`, vec(get(`${p}/conv0/bias`)));
      }
      for (let j = i === 0 ? 1 : 0; j < 4; j++) {
        const q = `${p}/conv${j}`;
        state.set(`${p}.conv${j}.depthwise.weight`, depthwiseWeight(get(`${q}/depthwise_filter`)));
        state.set(`${p}.conv${j}.pointwise.weight`, convWeight(get(`${q}/pointwise_filter`)));
        state.set(`${p}.conv${j}.pointwise.bias`, vec(get(`${q}/bias`)));
      }
    }
    this.loadConverted(state);
  }

  /** x [B,3,H,W] (AU-normalised) -> [B,256,H/16,W/16] (7x7 at 112). */
  forwardFeatures(x: Tensor): Tensor {
    let out = this.toFaceApiInput(x);
    for (const b of [this.dense0, this.dense1, this.dense2, this.dense3]) out = then(out, (t) => b.forward(t));
    return out;
  }
}

/** [B,C,H,W] -> [B,H*W,C] (token = h*W + w), releasing the map. */
function tokensOf(f: Tensor): Tensor {
  const [b, c] = f.shape;
  const flat = then(f, (t) => t.reshape([b, c, -1]));
  return then(flat, (t) => t.transpose(1, 2));
}

// ---------------------------------------------------------------------------------------------
// FaceRecognitionNet

/** conv (3x3 "same" stride 1, or "valid" stride 2 when down) with face-api's scale layer folded in. */
function recConv(cin: number, cout: number, down: boolean): Conv2d {
  return new Conv2d(cin, cout, 3, { stride: down ? 2 : 1, padding: down ? 0 : 1 });
}

/**
 * face-api's residual / residualDown. Plain: relu(conv2(relu(conv1 x)) + x). Down: conv1 is
 * "valid" with stride 2; the shortcut is a 2x2 stride-2 average pool, its channels doubled with
 * zeros when the branch widens, and where the branch is one pixel smaller than the pooled map
 * (odd sizes) the branch gets a zero row and column after, as face-api does.
 */
export class RecognitionResidual extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  constructor(readonly cin: number, readonly cout: number, readonly down: boolean) {
    super();
    this.conv1 = recConv(cin, cout, down);
    this.conv2 = recConv(cout, cout, false);
  }

  /** Output side for an input side (throws where face-api's shapes would not add up). */
  outputSize(size: number): number {
    if (!this.down) return size;
    const branch = Math.floor((size - 3) / 2) + 1, pooled = Math.floor(size / 2);
    if (branch < 1 || (pooled !== branch && pooled !== branch + 1)) throw new RangeError(`faceapi_recognition: a ${size}px map is too small for a down block (inputs need >= 103 px)`);
    return pooled;
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      let out = this.conv2.forward(this.conv1.forward(x).relu());
      if (!this.down) return out.add(x).relu();
      let pooled = avgPool2d(x, 2, { stride: 2 });
      const size = this.outputSize(x.shape[2]);
      if (x.shape[2] !== x.shape[3]) throw new RangeError(`faceapi_recognition: expected square maps, got ${x.shape[2]}x${x.shape[3]}`);
      if (out.shape[2] !== size) out = pad(out, [0, 1, 0, 1]);
      if (this.cout !== this.cin) pooled = cat([pooled, pooled.mul(0)], 1);
      return out.add(pooled).relu();
    });
  }
}

/** The blocks after the stem, in face-api's order: [name, in, out, down]. */
const RECOGNITION_BLOCKS: [string, number, number, boolean][] = [
  ["conv32_1", 32, 32, false], ["conv32_2", 32, 32, false], ["conv32_3", 32, 32, false],
  ["conv64_down", 32, 64, true], ["conv64_1", 64, 64, false], ["conv64_2", 64, 64, false], ["conv64_3", 64, 64, false],
  ["conv128_down", 64, 128, true], ["conv128_1", 128, 128, false], ["conv128_2", 128, 128, false],
  ["conv256_down", 128, 256, true], ["conv256_1", 256, 256, false], ["conv256_2", 256, 256, false],
  ["conv256_down_out", 256, 256, true],
];

/** face-api's face recognition net as a trainable backbone (the descriptor FC kept for checks). */
export class FaceApiRecognitionNet extends FaceApiBackbone {
  conv32_down: Conv2d;
  blocks: Sequential;
  /** Descriptor projection [256 -> 128], no bias (face-api's fc); not used by forwardTokens. */
  fc: Linear;
  static readonly MANIFEST = "face_recognition_model-weights_manifest.json";

  constructor(opts: FaceApiBackboneOptions = {}) {
    super(opts);
    this.conv32_down = new Conv2d(3, 32, 7, { stride: 2 });
    this.blocks = new Sequential(...RECOGNITION_BLOCKS.map(([, cin, cout, down]) => new RecognitionResidual(cin, cout, down)));
    this.fc = new Linear(256, 128, false);
    if (opts.pretrained ?? true) this.loadTfWeights(readTfWeights(join(opts.weightsDir ?? faceApiAssetsDir(), FaceApiRecognitionNet.MANIFEST)));
  }

  /** Side of the token map for a square input side (2 at 150, 1 at 112). */
  mapSize(input: number): number {
    let s = Math.floor((input - 7) / 2) + 1; // conv32_down, valid
    s = Math.floor((s - 3) / 2) + 1; // max pool 3, stride 2, valid
    for (const b of this.blocks.items as RecognitionResidual[]) s = b.outputSize(s);
    return s;
  }

  /** Copies face-api's weights, folding each conv's scale layer in: W * s, b * s + t. */
  loadTfWeights(weights: Map<string, TfWeight>): void {
    const get = lookup(weights, "FaceApiRecognitionNet");
    const state = new Map<string, Tensor>();
    const conv = (key: string, p: string) => {
      const k = get(`${p}/conv/filters`), b = get(`${p}/conv/bias`), s = get(`${p}/scale/weights`), t = get(`${p}/scale/biases`);
      const cout = k.shape[3];
      const data = Float32Array.from(k.data);
      for (let i = 0; i < data.length; i++) data[i] *= s.data[i % cout]; // HWIO: output channel innermost
      state.set(`${key}.weight`, convWeight({ shape: k.shape, dtype: "float32", data }));
      state.set(`${key}.bias`, fromArray(Float32Array.from(b.data, (v, c) => v * s.data[c] + t.data[c]), [cout]));
    };
    conv("conv32_down", "conv32_down");
    RECOGNITION_BLOCKS.forEach(([name], i) => {
      conv(`blocks.${i}.conv1`, `${name}/conv1`);
      conv(`blocks.${i}.conv2`, `${name}/conv2`);
    });
    const fc = get("fc"); // [256, 128]
    if (fc.shape.length !== 2 || fc.shape[0] !== 256 || fc.shape[1] !== 128) throw new Error(`FaceApiRecognitionNet: 'fc' must be [256, 128], got [${fc.shape}]`);
    const w = fromArray(fc.data, fc.shape);
    const wt = w.transpose(0, 1);
    state.set("fc.weight", wt.contiguous());
    w.dispose();
    wt.dispose();
    this.loadConverted(state);
  }

  override toFaceApiInput(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new RangeError(`faceapi backbone: expected images [B, 3, H, W], got [${x.shape}]`);
    if (x.shape[2] !== x.shape[3]) throw new RangeError(`faceapi_recognition: expected square images, got ${x.shape[2]}x${x.shape[3]}`);
    this.mapSize(x.shape[2]);
    return super.toFaceApiInput(x);
  }

  /** x [B,3,S,S] (AU-normalised) -> the last map [B,256,s,s] before face-api's mean + FC. */
  forwardFeatures(x: Tensor): Tensor {
    return tidy(() => {
      const stem = this.conv32_down.forward(this.toFaceApiInput(x)).relu();
      return this.blocks.forward(maxPool2d(stem, 3, { stride: 2 }));
    });
  }

  /** face-api's descriptor [B,128] (spatial mean of the last map, FC; not normalised). */
  descriptor(x: Tensor): Tensor {
    return tidy(() => this.fc.forward(this.forwardFeatures(x).mean([2, 3])));
  }
}
