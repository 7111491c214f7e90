/** Dropout and DropPath (stochastic depth); both are identities in eval mode. */
import { dropout, type Tensor } from "../../tensor/index.ts";
import { dropPath } from "../functional/drop-path.ts";
import { Module } from "../module.ts";

export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}

export class DropPath extends Module {
  constructor(readonly p = 0) {
    super();
    if (p < 0 || p >= 1) throw new RangeError(`DropPath: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return dropPath(x, this.p, this.training);
  }
}
