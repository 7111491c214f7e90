/** Heads on backbone tokens: the AU graph head (AUNCE / ME-GraphAU), its LinearBlock and graph layer, the linear-evaluation head. */
export { LinearBlock } from "./linear-block.ts";
export { GraphLayer, normalizeDigraph, topKAdjacency } from "./graph.ts";
export { AuGraphHead, type AuHeadOutput } from "./au-graph-head.ts";
export { LinearEvalHead } from "./linear-eval.ts";
