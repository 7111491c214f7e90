/** Layer normalisation over the trailing dims, as torch.nn.LayerNorm. */
import { layerNorm, ones, zeros, type Tensor } from "../../tensor/index.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";

export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];

  constructor(normalizedShape: number | number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    this.weight = elementwiseAffine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
