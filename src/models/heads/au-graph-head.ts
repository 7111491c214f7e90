/**
 * The AU-specific head shared by AUNCE and ME-GraphAU stage 1 (names as in their checkpoints:
 * `class_linears.N.{fc,bn}`, `gnn.{U,V,bnv}`, `sc`): one LinearBlock(C, C) per AU over all tokens,
 * the mean over tokens -> AU nodes [B, N, C], one graph layer. Then either
 * - AUNCE: each node L2-normalised -> embeddings [B, C, N] (no projection head), or
 * - ME-GraphAU: cosine of each node with its learned centre ReLU(sc_k) -> scores [B, N].
 * `sc` exists in both (the AUNCE reference keeps the unused centres), so both load the same files.
 */
import { stack, tidy, type Tensor } from "../../tensor/index.ts";
import { Module, ModuleList, Parameter, init, normalize } from "../../nn/index.ts";
import { empty } from "../../tensor/index.ts";
import { GraphLayer } from "./graph.ts";
import { LinearBlock } from "./linear-block.ts";

export type AuHeadOutput = "embeddings" | "scores";

export class AuGraphHead extends Module {
  /** Learned AU centres [N, C] (ME-GraphAU scores; unused by AUNCE but kept in its checkpoints). */
  sc: Parameter;
  class_linears: ModuleList<LinearBlock>;
  gnn: GraphLayer;

  constructor(readonly channels: number, readonly numAus: number, readonly output: AuHeadOutput = "embeddings", neighbours = 4) {
    super();
    this.sc = new Parameter(init.xavierUniform_(empty([numAus, channels])));
    this.class_linears = new ModuleList(Array.from({ length: numAus }, () => new LinearBlock(channels, channels)));
    this.gnn = new GraphLayer(channels, numAus, neighbours);
  }

  /** tokens [B, L, C] -> AU nodes after the graph layer [B, N, C] */
  nodes(x: Tensor): Tensor {
    return tidy(() => {
      // Mean over tokens straight from the channels-first batch-norm output (same values as the
      // reference's transpose-then-mean, one copy fewer).
      const perAu = this.class_linears.items.map((blk) => blk.forwardChannelsFirst(x).mean(2));
      return this.gnn.forward(stack(perAu, 1));
    });
  }

  /** AUNCE: nodes [B, N, C] -> unit-norm embeddings [B, C, N] */
  embeddings(nodes: Tensor): Tensor {
    return tidy(() => normalize(nodes, 2, -1).transpose(1, 2));
  }

  /** ME-GraphAU stage 1: nodes [B, N, C] -> cos(node_k, ReLU(sc_k)) [B, N] in [-1, 1] (>= 0 after the ReLUs). */
  scores(nodes: Tensor): Tensor {
    return tidy(() => {
      const centres = normalize(this.sc.relu(), 2, -1);
      return normalize(nodes, 2, -1).mul(centres.unsqueeze(0)).sum(-1);
    });
  }

  /** tokens [B, L, C] -> embeddings [B, C, N] or scores [B, N], per `output`. */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const v = this.nodes(x);
      return this.output === "embeddings" ? this.embeddings(v) : this.scores(v);
    });
  }
}
