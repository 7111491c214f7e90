/**
 * Optimizers: libtorch's own SGD, Adam and AdamW (torch::optim), driven from TS. The update
 * maths runs natively; TS only names parameters, groups and learning rates.
 */
import { binding, type NativeOptimizer, type NativeParamGroup } from "../../native/binding.ts";
import type { Parameter } from "../parameter.ts";

/** Hyper-parameters a group may set (unset ones take the optimizer's defaults). */
export interface GroupOptions {
  lr?: number;
  weightDecay?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
  amsgrad?: boolean;
}

/** A parameter group: its parameters and per-group options. */
export interface ParamGroup extends GroupOptions {
  params: Parameter[];
}

type ParamsArg = Parameter[] | ParamGroup[];

function isGroups(p: ParamsArg): p is ParamGroup[] {
  return p.length > 0 && !("native" in p[0]);
}

/** Base for SGD, Adam and AdamW. */
export class Optimizer {
  readonly #native: NativeOptimizer;
  readonly groups: ParamGroup[];

  protected constructor(kind: "sgd" | "adam" | "adamw", params: ParamsArg, defaults: GroupOptions & { lr: number }) {
    const groups = isGroups(params) ? params : [{ params: params as Parameter[] }];
    if (groups.length === 0 || groups.every((g) => g.params.length === 0)) throw new RangeError(`${kind}: no parameters to optimise`);
    this.groups = groups.map((g) => ({ ...defaults, ...g }));
    const nativeGroups: NativeParamGroup[] = this.groups.map((g) => ({ ...g, lr: g.lr ?? defaults.lr, params: g.params.map((p) => p.native) }));
    this.#native = new binding.Optimizer(kind, nativeGroups);
  }

  /** One update from the parameters' gradients. */
  step(): void {
    this.#native.step();
  }
  /** Drops the gradients (setToNone, the default, as PyTorch 2) or zeroes them in place. */
  zeroGrad(setToNone = true): void {
    this.#native.zeroGrad(setToNone);
  }
  /** Learning rate of group `group` (0 by default). */
  getLr(group = 0): number {
    return this.#native.getLr(group);
  }
  /** Sets the learning rate of one group, or of all groups when `group` is omitted. */
  setLr(lr: number, group?: number): void {
    const ids = group === undefined ? this.groups.map((_, i) => i) : [group];
    for (const i of ids) this.#native.setLr(i, lr);
  }
  /** Serialised optimizer state (moments, step counts) for exact resume. */
  stateBytes(): Uint8Array {
    return this.#native.saveState();
  }
  /** Restores `stateBytes()` output for an optimizer built over the same parameters. */
  loadStateBytes(bytes: Uint8Array): void {
    this.#native.loadState(bytes);
  }
  /** Frees the state tensors now. */
  dispose(): void {
    this.#native.dispose();
  }
}

/** SGD with optional momentum, dampening, Nesterov and (L2) weight decay, as torch.optim.SGD. */
export class SGD extends Optimizer {
  constructor(params: ParamsArg, o: GroupOptions & { lr: number }) {
    super("sgd", params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...o });
  }
}

/** Adam with L2 weight decay, as torch.optim.Adam (defaults lr 1e-3, betas 0.9/0.999, eps 1e-8). */
export class Adam extends Optimizer {
  constructor(params: ParamsArg, o: GroupOptions = {}) {
    super("adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...o });
  }
}

/** AdamW (decoupled weight decay), as torch.optim.AdamW (defaults lr 1e-3, weight decay 1e-2). */
export class AdamW extends Optimizer {
  constructor(params: ParamsArg, o: GroupOptions = {}) {
    super("adamw", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, ...o });
  }
}
