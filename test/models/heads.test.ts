import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { AuGraphHead, LinearBlock, LinearEvalHead, normalizeDigraph, topKAdjacency } from "../../src/models/heads/index.ts";
import { createAuModel } from "../../src/models/registry.ts";
import { Module } from "../../src/nn/index.ts";
import { liveTensors, manualSeed, noGrad, tensor, tidy, type Tensor } from "../../src/tensor/index.ts";
import { decode, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";
import { describeState, detFill, detInput, relErr } from "./helpers.ts";

// Module construction draws initial weights; seeded, although detFill overwrites them.
beforeEach(() => manualSeed(0));

interface HeadFixture {
  dims: { B: number; L: number; Cin: number; C: number; N: number };
  x: EncodedTensor;
  eval_embeddings: EncodedTensor;
  eval_scores: EncodedTensor;
  train_embeddings: EncodedTensor;
  train_scores: EncodedTensor;
  grads: Record<string, EncodedTensor>;
  grad_x: EncodedTensor;
  running: Record<string, EncodedTensor>;
  keys: unknown[];
  full_keys: unknown[];
  linear_feats: EncodedTensor;
  linear_probs: EncodedTensor;
  linear_keys: unknown[];
}
const fx = readFixture<HeadFixture>("models/head.json");

/** global_linear + head without a backbone: the layout of the fixture's reference module. */
class HeadOnly extends Module {
  global_linear: LinearBlock;
  head: AuGraphHead;
  constructor(cin: number, c: number, n: number) {
    super();
    this.global_linear = new LinearBlock(cin, c);
    this.head = new AuGraphHead(c, n);
  }
  nodes(x: Tensor): Tensor {
    return tidy(() => this.head.nodes(this.global_linear.forward(x)));
  }
  forward(x: Tensor): Tensor {
    return this.nodes(x);
  }
}

const { B, Cin, C, N } = fx.dims;

test("AU head: state-dict keys equal the reference layout (global_linear.*, head.sc, head.class_linears.N.*, head.gnn.{U,V,bnv})", () => {
  const m = new HeadOnly(Cin, C, N);
  assert.deepEqual(describeState(m), fx.keys);
  m.dispose();
  const full = createAuModel({ backbone: "swin_tiny_test", numAus: 12 });
  assert.deepEqual(describeState(full), fx.full_keys);
  full.dispose();
});

test("AU head in eval mode (running statistics) equals the PyTorch re-implementation: AUNCE embeddings and ME-GraphAU scores", () => {
  const m = new HeadOnly(Cin, C, N);
  detFill(m);
  m.eval();
  noGrad(() => tidy(() => {
    const v = m.nodes(decode(fx.x));
    assert.ok(relErr(m.head.embeddings(v), fx.eval_embeddings) < 1e-4);
    assert.ok(relErr(m.head.scores(v), fx.eval_scores) < 1e-4);
  }));
  m.dispose();
});

test("AU head in train mode (batch statistics) equals PyTorch: outputs, gradients, running statistics; no leaks", () => {
  const m = new HeadOnly(Cin, C, N);
  detFill(m);
  m.train();
  const before = liveTensors();
  const x = decode(fx.x).requiresGrad_(true);
  tidy(() => {
    const v = m.nodes(x);
    const emb = m.head.embeddings(v);
    const sc = m.head.scores(v);
    assert.deepEqual(emb.shape, [B, C, N]);
    assert.ok(relErr(emb, fx.train_embeddings) < 1e-4, `embeddings ${relErr(emb, fx.train_embeddings)}`);
    assert.ok(relErr(sc, fx.train_scores) < 1e-4, `scores ${relErr(sc, fx.train_scores)}`);
    emb.mul(detInput([B, C, N], 1.7, 0.29)).sum().add(sc.mul(detInput([B, N], 0.4, 0.53)).sum()).backward();
  });
  const params = new Map(m.namedParameters());
  for (const [name, want] of Object.entries(fx.grads)) {
    const g = params.get(name)!.grad!;
    assert.ok(relErr(g, want) < 1e-4, `${name} grad ${relErr(g, want)}`);
    g.dispose();
  }
  const gx = x.grad!;
  assert.ok(relErr(gx, fx.grad_x) < 1e-4, `input grad ${relErr(gx, fx.grad_x)}`);
  gx.dispose();
  const state = m.stateDict();
  for (const [name, want] of Object.entries(fx.running)) assert.ok(relErr(state.get(name)!, want) < 1e-5, name);
  x.dispose();
  m.zeroGrad();
  assert.equal(liveTensors(), before);
  m.dispose();
});

test("graph layer: top-K keeps K neighbours per node (self included) and D^-1/2 A D^-1/2 normalises by degrees", () => {
  noGrad(() => tidy(() => {
    // Three nodes on a line: node 0 is most similar to itself, then 1; with K = 2 each row keeps 2.
    const x = tensor([[[3, 0], [2, 1], [0, 3]]]);
    const adj = topKAdjacency(x, 2);
    assert.deepEqual(adj.toArray(), [[[1, 1, 0], [1, 1, 0], [0, 1, 1]]]);
    const a = normalizeDigraph(adj).toArray() as number[][][];
    // degrees are all 2: every kept edge becomes 1/2.
    assert.ok(Math.abs(a[0][0][1] - 0.5) < 1e-7 && a[0][0][2] === 0);
  }));
});

test("linear-evaluation head: per-AU Linear(C, 2) named fc.k.0, softmax over 2 (index 0 = present), equals PyTorch", () => {
  const h = new LinearEvalHead(C, N);
  assert.deepEqual(describeState(h), fx.linear_keys);
  detFill(h);
  noGrad(() => tidy(() => {
    const p = h.forward(decode(fx.linear_feats));
    assert.deepEqual(p.shape, [B, 2, N]);
    assert.ok(relErr(p, fx.linear_probs) < 1e-5);
    assert.throws(() => h.forward(decode(fx.linear_feats).transpose(1, 2)), /expected embeddings \[B, 16, 5\], got \[4,5,16\]/);
  }));
  h.dispose();
});

