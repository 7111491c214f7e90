/**
 * ME-GraphAU's graph layer (model/ANFL.py `GNN`, metric 'dots'; names U, V, bnv as in its
 * checkpoints). Each AU node keeps its K most similar nodes (dot product on detached features,
 * itself included; ties at the K-th value are all kept, as the reference's `>=` threshold does),
 * A = D^-1/2 adj D^-1/2, and X' = ReLU(X + BN_N(A V(X) + U(X))), the batch norm over the N nodes.
 */
import { bmm, relu, tidy, type Tensor } from "../../tensor/index.ts";
import { BatchNorm1d, Linear, Module, init } from "../../nn/index.ts";

/** adj [B, N, N] (0/1) -> D^-1/2 adj D^-1/2 with D the row sums (out-degrees). */
export function normalizeDigraph(adj: Tensor): Tensor {
  return tidy(() => {
    const d = adj.sum(-1).pow(-0.5); // [B, N]
    return adj.mul(d.unsqueeze(2)).mul(d.unsqueeze(1));
  });
}

/** x [B, N, C] -> 0/1 adjacency [B, N, N] keeping each row's top-k dot products (no gradient). */
export function topKAdjacency(x: Tensor, k: number): Tensor {
  return tidy(() => {
    const xd = x.detach();
    const s = bmm(xd, xd.transpose(1, 2));
    const [vals] = s.topk(k, -1, true, true);
    const kth = vals.narrow(2, k - 1, 1);
    return s.ge(kth).to(x.dtype);
  });
}

export class GraphLayer extends Module {
  U: Linear;
  V: Linear;
  bnv: BatchNorm1d;

  constructor(readonly channels: number, readonly numNodes: number, readonly neighbours = 4) {
    super();
    if (neighbours < 1 || neighbours > numNodes) throw new RangeError(`GraphLayer: neighbours must be in [1, ${numNodes}], got ${neighbours}`);
    this.U = new Linear(channels, channels);
    this.V = new Linear(channels, channels);
    init.normal_(this.U.weight, 0, Math.sqrt(2 / channels));
    init.normal_(this.V.weight, 0, Math.sqrt(2 / channels));
    this.bnv = new BatchNorm1d(numNodes);
  }

  /** x [B, N, C] -> [B, N, C] */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const a = normalizeDigraph(topKAdjacency(x, this.neighbours));
      const mixed = bmm(a, this.V.forward(x)).add(this.U.forward(x));
      return relu(x.add(this.bnv.forward(mixed)));
    });
  }
}
