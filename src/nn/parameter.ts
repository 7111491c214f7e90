/** Parameters and buffers: tensors a Module owns, found by the Module through its fields. */
import { runOp, Tensor } from "../tensor/index.ts";

/**
 * A trainable tensor (requiresGrad, a leaf). It belongs to its module, never to a scope.
 * `new Parameter(t)` takes ownership of `t`: t's handle is released and must not be used again.
 */
export class Parameter extends Tensor {
  constructor(t: Tensor, requiresGrad = true) {
    const own = runOp("detach", t);
    super(own.native);
    own.kept = true; // `own` and `this` share one handle; only `this` is used from here
    t.dispose();
    this.kept = true;
    this.requiresGrad = requiresGrad;
  }
}

/**
 * A non-trainable tensor a module keeps (running statistics, counters, fixed indices).
 * Non-persistent buffers are left out of state dicts, as in PyTorch.
 * Takes ownership of `t` as Parameter does.
 */
export class ModuleBuffer extends Tensor {
  readonly persistent: boolean;
  constructor(t: Tensor, persistent = true) {
    const own = runOp("detach", t);
    super(own.native);
    own.kept = true;
    t.dispose();
    this.kept = true;
    this.persistent = persistent;
  }
}
