/** Fully connected layer, as torch.nn.Linear (weight [out, in], bias [out]). */
import { empty, linear, type Tensor } from "../../tensor/index.ts";
import { kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";

export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    // PyTorch's default: kaiming_uniform(a=sqrt(5)) for the weight, U(+-1/sqrt(fan_in)) for the bias.
    this.weight = new Parameter(kaimingUniform_(empty([outFeatures, inFeatures]), { a: Math.sqrt(5) }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = bias ? new Parameter(uniform_(empty([outFeatures]), -bound, bound)) : null;
  }

  /** x [..., in] -> [..., out] */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
