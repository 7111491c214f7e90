/**
 * Batch normalisation, as torch.nn.BatchNorm1d/2d (running statistics as buffers); with a
 * `syncGroup` (see convertSyncBatchNorm), training statistics span every rank's batch as
 * torch.nn.SyncBatchNorm.
 */
import { batchNorm, cat, full, noGrad, ones, tensor, zeros, type ProcessGroup, type Tensor } from "../../tensor/index.ts";
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
  /** Set: training-mode statistics are computed over the whole group's batch (sync-BN). */
  syncGroup: ProcessGroup | null = null;

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
    if (this.training && this.syncGroup && this.syncGroup.worldSize > 1) return this.#syncForward(x, this.syncGroup);
    return batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, {
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
    });
  }

  /**
   * Training forward with global statistics: per-channel sums, sums of squares and counts are
   * summed over ranks (differentiably, so gradients reach every rank's inputs), then the batch is
   * normalised with the global mean and biased variance, and the running statistics move with
   * the global mean and unbiased variance, as SyncBatchNorm does.
   */
  #syncForward(x: Tensor, group: ProcessGroup): Tensor {
    const c = this.numFeatures;
    const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    const bcast = [1, c, ...Array<number>(x.ndim - 2).fill(1)];
    const local = x.numel / c;
    const xf = x.float();
    const stats = group.allReduceWithGrad(cat([xf.sum(dims), xf.square().sum(dims), full([1], local, { device: x.device })]));
    const total = stats.narrow(0, 2 * c, 1).item();
    const mean = stats.narrow(0, 0, c).div(total);
    const variance = stats.narrow(0, c, c).div(total).sub(mean.square()).clampMin(0);
    if (this.running_mean && this.running_var) {
      const m = this.momentum;
      noGrad(() => {
        this.running_mean!.mul_(1 - m).add_(mean.detach().mul(m));
        this.running_var!.mul_(1 - m).add_(variance.detach().mul((m * total) / Math.max(total - 1, 1)));
      });
    }
    let y = xf.sub(mean.view(bcast)).mul(variance.add(this.eps).rsqrt().view(bcast));
    if (this.weight && this.bias) y = y.mul(this.weight.view(bcast)).add(this.bias.view(bcast));
    return y.to(x.dtype);
  }
}

/**
 * Turns every BatchNorm of `root` into a synchronised one over `group` (null turns it back), as
 * torch.nn.SyncBatchNorm.convert_sync_batchnorm; returns how many layers changed.
 */
export function convertSyncBatchNorm(root: Module, group: ProcessGroup | null): number {
  let n = 0;
  for (const [, m] of root.namedModules()) {
    if (m instanceof BatchNormBase) {
      m.syncGroup = group;
      n++;
    }
  }
  return n;
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
