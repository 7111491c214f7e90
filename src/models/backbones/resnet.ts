/**
 * ResNet-18/34/50/101/152 with torchvision's parameter names (`layer1.0.conv1.weight`,
 * `layer2.0.downsample.0.weight`, ...), so torchvision checkpoints load without renaming.
 * Bottleneck strides on its 3x3 conv (torchvision's "ResNet v1.5").
 * As an AUNCE backbone it returns the layer4 map flattened to tokens [B, H*W, C] (token = h*W + w).
 */
import { maxPool2d, adaptiveAvgPool2d, type Tensor } from "../../tensor/index.ts";
import { BatchNorm2d, Conv2d, Linear, Module, Sequential, init } from "../../nn/index.ts";

/** Applies f to x and releases x: forward passes free intermediates as they go (as Python's refcount does). */
function then(x: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const y = f(x);
  x.dispose();
  return y;
}

/** relu(branch + shortcut(x)), releasing the branch and the projected shortcut. */
function residual(branch: Tensor, x: Tensor, downsample: Sequential | null): Tensor {
  const identity = downsample ? downsample.forward(x) : x;
  const sum = then(branch, (t) => t.add(identity));
  if (identity !== x) identity.dispose();
  return then(sum, (t) => t.relu());
}

const conv3x3 = (cin: number, cout: number, stride = 1) => new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
const conv1x1 = (cin: number, cout: number, stride = 1) => new Conv2d(cin, cout, 1, { stride, bias: false });

export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  constructor(cin: number, planes: number, stride: number, downsample: Sequential | null) {
    super();
    this.conv1 = conv3x3(cin, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = then(out, (t) => this.bn1.forward(t));
    out = then(out, (t) => t.relu());
    out = then(out, (t) => this.conv2.forward(t));
    out = then(out, (t) => this.bn2.forward(t));
    return residual(out, x, this.downsample);
  }
}

export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  downsample: Sequential | null;

  constructor(cin: number, planes: number, stride: number, downsample: Sequential | null) {
    super();
    this.conv1 = conv1x1(cin, planes);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv1x1(planes, planes * 4);
    this.bn3 = new BatchNorm2d(planes * 4);
    this.downsample = downsample;
  }

  forward(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = then(out, (t) => this.bn1.forward(t));
    out = then(out, (t) => t.relu());
    out = then(out, (t) => this.conv2.forward(t));
    out = then(out, (t) => this.bn2.forward(t));
    out = then(out, (t) => t.relu());
    out = then(out, (t) => this.conv3.forward(t));
    out = then(out, (t) => this.bn3.forward(t));
    return residual(out, x, this.downsample);
  }
}

type BlockClass = typeof BasicBlock | typeof Bottleneck;

export interface ResNetConfig {
  block: "basic" | "bottleneck";
  layers: [number, number, number, number];
  /** Classifier outputs; 0 leaves out `fc` (a feature backbone). Default 1000 as torchvision. */
  numClasses?: number;
  /** Stem width (64 in torchvision; the tiny test variant uses less). */
  width?: number;
}

export class ResNet extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  fc: Linear | null;
  /** Channels of the layer4 map (512 for ResNet-18/34, 2048 for 50/101/152 at width 64). */
  readonly numFeatures: number;

  constructor(cfg: ResNetConfig) {
    super();
    const Block: BlockClass = cfg.block === "basic" ? BasicBlock : Bottleneck;
    const width = cfg.width ?? 64;
    let cin = width;
    const makeLayer = (planes: number, blocks: number, stride: number): Sequential => {
      let down: Sequential | null = null;
      if (stride !== 1 || cin !== planes * Block.expansion) {
        down = new Sequential(conv1x1(cin, planes * Block.expansion, stride), new BatchNorm2d(planes * Block.expansion));
      }
      const list: Module[] = [new Block(cin, planes, stride, down)];
      cin = planes * Block.expansion;
      for (let i = 1; i < blocks; i++) list.push(new Block(cin, planes, 1, null));
      return new Sequential(...list);
    };
    this.conv1 = new Conv2d(3, width, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(width);
    this.layer1 = makeLayer(width, cfg.layers[0], 1);
    this.layer2 = makeLayer(width * 2, cfg.layers[1], 2);
    this.layer3 = makeLayer(width * 4, cfg.layers[2], 2);
    this.layer4 = makeLayer(width * 8, cfg.layers[3], 2);
    this.numFeatures = cin;
    const numClasses = cfg.numClasses ?? 1000;
    this.fc = numClasses > 0 ? new Linear(cin, numClasses) : null;
    // torchvision's initialisation: kaiming_normal(fan_out, relu) for convs; BN weight 1, bias 0.
    for (const [, m] of this.namedModules()) if (m instanceof Conv2d) init.kaimingNormal_(m.weight, { mode: "fan_out", nonlinearity: "relu" });
  }

  /** x [B,3,H,W] -> layer4 map [B,C,H/32,W/32] */
  forwardFeatures(x: Tensor): Tensor {
    let out = this.conv1.forward(x);
    out = then(out, (t) => this.bn1.forward(t));
    out = then(out, (t) => t.relu());
    out = then(out, (t) => maxPool2d(t, 3, { stride: 2, padding: 1 }));
    for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4]) out = then(out, (t) => layer.forward(t));
    return out;
  }

  /** x [B,3,H,W] -> tokens [B, H/32*W/32, C] (49 tokens at 224x224), as ME-GraphAU flattens layer4. */
  forwardTokens(x: Tensor): Tensor {
    const f = this.forwardFeatures(x);
    const [b, c] = f.shape;
    const flat = then(f, (t) => t.reshape([b, c, -1]));
    return then(flat, (t) => t.transpose(1, 2));
  }

  /** x [B,3,H,W] -> logits [B, numClasses] (requires fc). */
  forward(x: Tensor): Tensor {
    if (!this.fc) throw new Error("ResNet.forward: built without a classifier (numClasses 0); use forwardFeatures or forwardTokens");
    let out = this.forwardFeatures(x);
    out = then(out, (t) => adaptiveAvgPool2d(t, 1));
    out = then(out, (t) => t.flatten(1));
    return then(out, (t) => this.fc!.forward(t));
  }
}

/** The torchvision variants, as data. */
export const resnetVariants: Record<string, ResNetConfig> = {
  resnet18: { block: "basic", layers: [2, 2, 2, 2] },
  resnet34: { block: "basic", layers: [3, 4, 6, 3] },
  resnet50: { block: "bottleneck", layers: [3, 4, 6, 3] },
  resnet101: { block: "bottleneck", layers: [3, 4, 23, 3] },
  resnet152: { block: "bottleneck", layers: [3, 8, 36, 3] },
  /** Small demo variant (no pretrained weights exist): the ResNet-18 layout at width 32, ~2.8 M parameters. */
  resnet18_w32: { block: "basic", layers: [2, 2, 2, 2], width: 32 },
  /** Tiny test variant: the ResNet-18 layout at width 8. */
  resnet_tiny: { block: "basic", layers: [1, 1, 1, 1], width: 8 },
};

/** Builds a ResNet variant by name; `numClasses: 0` gives a feature backbone. */
export function createResNet(name: string, overrides: Partial<ResNetConfig> = {}): ResNet {
  const cfg = resnetVariants[name];
  if (!cfg) throw new Error(`unknown ResNet variant '${name}' (known: ${Object.keys(resnetVariants).join(", ")})`);
  return new ResNet({ ...cfg, ...overrides });
}
