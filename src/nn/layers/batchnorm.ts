/** Batch normalisation, as torch.nn.BatchNorm1d/2d (running statistics as buffers). */
import { batchNorm, noGrad, ones, tensor, zeros, type Tensor } from "../../tensor/index.ts";
import { Module } from "../module.ts";
import { ModuleBuffer, Parameter } from "../parameter.ts";

export interface BatchNormConfig {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  // Field order = PyTorch's state-dict order: weight, bias, running_mean, running_var, num_batches_tracked.
  weight: Parameter | null;
  bias: Parameter | null;
  running_mean: ModuleBuffer | null;
  running_var: ModuleBuffer | null;
  num_batches_tracked: ModuleBuffer | null;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, cfg: BatchNormConfig = {}) {
    super();
    this.eps = cfg.eps ?? 1e-5;
    this.momentum = cfg.momentum ?? 0.1;
    const affine = cfg.affine ?? true;
    const track = cfg.trackRunningStats ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    this.running_mean = track ? new ModuleBuffer(zeros([numFeatures])) : null;
    this.running_var = track ? new ModuleBuffer(ones([numFeatures])) : null;
    this.num_batches_tracked = track ? new ModuleBuffer(tensor(0, { dtype: "int64" })) : null;
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${this.constructor.name}: expected ${this.numFeatures} channels in dim 1, got input [${x.shape}]`);
    }
    const useBatchStats = this.training || !this.running_mean;
    if (this.training && this.num_batches_tracked) noGrad(() => this.num_batches_tracked!.add_(1));
    return batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, {
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

/** Over [B, C] or [B, C, L] (statistics per channel over batch and length). */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`BatchNorm1d: expected a 2-D or 3-D input, got [${x.shape}]`);
  }
}

/** Over [B, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new RangeError(`BatchNorm2d: expected a 4-D input, got [${x.shape}]`);
  }
}
