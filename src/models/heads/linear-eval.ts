/**
 * The linear-evaluation head of the AUNCE reference (linear_graph_au.py): per AU a Linear(C, 2)
 * (named `fc.k.0`, a one-layer Sequential) on that AU's embedding, softmax over the two outputs.
 * Index 0 is the probability that the AU is PRESENT (the reference's convention).
 */
import { stack, tidy, type Tensor } from "../../tensor/index.ts";
import { Linear, Module, ModuleList, Sequential } from "../../nn/index.ts";

export class LinearEvalHead extends Module {
  fc: ModuleList<Sequential>;

  constructor(readonly channels: number, readonly numAus: number) {
    super();
    this.fc = new ModuleList(Array.from({ length: numAus }, () => new Sequential(new Linear(channels, 2))));
  }

  /** embeddings [B, C, N] -> probabilities [B, 2, N] (index 0 = present) */
  forward(z: Tensor): Tensor {
    if (z.ndim !== 3 || z.shape[1] !== this.channels || z.shape[2] !== this.numAus) {
      throw new RangeError(`LinearEvalHead: expected embeddings [B, ${this.channels}, ${this.numAus}], got [${z.shape}]`);
    }
    return tidy(() => {
      const logits = this.fc.items.map((seq, k) => seq.forward(z.select(2, k)));
      return stack(logits, 2).softmax(1);
    });
  }
}
