/** Parameter-free modules for use in Sequential. */
import { gelu, relu, type Tensor } from "../../tensor/index.ts";
import { Module } from "../module.ts";

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}
/** Returns a new handle to its input (no copy; callers may dispose input and output independently). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x.alias();
  }
}
