/** 2-D convolution, as torch.nn.Conv2d (weight [out, in/groups, kh, kw], bias [out]). */
import { conv2d, empty, type Tensor } from "../../tensor/index.ts";
import { kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : v);

export interface Conv2dConfig {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, cfg: Conv2dConfig = {}) {
    super();
    this.stride = pair(cfg.stride ?? 1);
    this.padding = pair(cfg.padding ?? 0);
    this.dilation = pair(cfg.dilation ?? 1);
    this.groups = cfg.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new RangeError(`Conv2d: in (${inChannels}) and out (${outChannels}) channels must be divisible by groups (${this.groups})`);
    }
    const [kh, kw] = pair(kernelSize);
    this.weight = new Parameter(kaimingUniform_(empty([outChannels, inChannels / this.groups, kh, kw]), { a: Math.sqrt(5) }));
    const bound = 1 / Math.sqrt((inChannels / this.groups) * kh * kw);
    this.bias = cfg.bias ?? true ? new Parameter(uniform_(empty([outChannels]), -bound, bound)) : null;
  }

  /** x [B, in, H, W] -> [B, out, H', W'] */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}
