/**
 * The whole AU network as the reference checkpoints lay it out: `backbone.*` (tokens [B, L, Cb]),
 * `global_linear.*` (LinearBlock Cb -> C, token-wise) and `head.*` (the AU graph head).
 * AUNCE keeps C = Cb and outputs unit-norm embeddings [B, C, N]; ME-GraphAU stage 1 uses
 * C = Cb/2 (Swin) or Cb/4 (ResNet) and outputs scores [B, N].
 */
import { tidy, type Tensor } from "../tensor/index.ts";
import { Module } from "../nn/index.ts";
import { AuGraphHead, type AuHeadOutput } from "./heads/au-graph-head.ts";
import { LinearBlock } from "./heads/linear-block.ts";

/** What every registered backbone offers: tokens and their width. */
export interface Backbone extends Module {
  /** Channels of the tokens. */
  readonly numFeatures: number;
  /** images [B, 3, H, W] float32, normalised -> tokens [B, L, C] (49 at 224) */
  forwardTokens(x: Tensor): Tensor;
}

export interface AuModelOptions {
  numAus: number;
  /** "embeddings" (AUNCE, default) or "scores" (ME-GraphAU stage 1). */
  output?: AuHeadOutput;
  /** Width after global_linear; default the backbone's (AUNCE). */
  channels?: number;
  /** Graph neighbours K (default 4). */
  neighbours?: number;
}

export class AuModel extends Module {
  backbone: Backbone;
  global_linear: LinearBlock;
  head: AuGraphHead;

  constructor(backbone: Backbone, opts: AuModelOptions) {
    super();
    const c = opts.channels ?? backbone.numFeatures;
    this.backbone = backbone;
    this.global_linear = new LinearBlock(backbone.numFeatures, c);
    this.head = new AuGraphHead(c, opts.numAus, opts.output ?? "embeddings", opts.neighbours ?? 4);
  }

  /** images [B, 3, H, W] -> AU nodes [B, N, C] (before normalisation) */
  nodes(x: Tensor): Tensor {
    return tidy(() => this.head.nodes(this.global_linear.forward(this.backbone.forwardTokens(x))));
  }

  /** images [B, 3, H, W] -> embeddings [B, C, N] (AUNCE) or scores [B, N] (ME-GraphAU), per the head's output. */
  forward(x: Tensor): Tensor {
    return tidy(() => this.fromTokens(this.backbone.forwardTokens(x)));
  }

  /** Backbone tokens [B, L, Cb] -> the head's output (forward without the backbone; frozen inference). */
  fromTokens(tokens: Tensor): Tensor {
    return tidy(() => this.head.forward(this.global_linear.forward(tokens)));
  }
}
