/**
 * ME-GraphAU's LinearBlock (model/basic_block.py, MIT): Dropout -> Linear -> BatchNorm1d over
 * channels -> ReLU, applied token-wise. The batch norm sees [B, C, L], so its statistics are over
 * batch x tokens. Dropout sits BEFORE the linear layer, as in the reference (p = 0 there).
 */
import { relu, tidy, type Tensor } from "../../tensor/index.ts";
import { BatchNorm1d, Dropout, Linear, Module, init } from "../../nn/index.ts";

export class LinearBlock extends Module {
  fc: Linear;
  bn: BatchNorm1d;
  drop: Dropout;

  constructor(readonly inFeatures: number, readonly outFeatures: number = inFeatures, drop = 0) {
    super();
    this.fc = new Linear(inFeatures, outFeatures);
    // The reference's initialisation: weight ~ N(0, sqrt(2 / out)), default bias; BN weight 1, bias 0.
    init.normal_(this.fc.weight, 0, Math.sqrt(2 / outFeatures));
    this.bn = new BatchNorm1d(outFeatures);
    this.drop = new Dropout(drop);
  }

  /** x [B, L, Cin] -> [B, L, Cout] */
  forward(x: Tensor): Tensor {
    return tidy(() => this.forwardChannelsFirst(x).transpose(1, 2));
  }

  /** x [B, L, Cin] -> [B, Cout, L] (skips the transpose back; callers that pool over tokens use it). */
  forwardChannelsFirst(x: Tensor): Tensor {
    return tidy(() => relu(this.bn.forward(this.fc.forward(this.drop.forward(x)).transpose(1, 2))));
  }
}
