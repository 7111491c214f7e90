// Every fixture op against PyTorch's values, and gradients against central finite differences
// in float64 (fixtures: scripts/fixtures/ops.py).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runOp, runOpMulti, tidy, type Arg, type Tensor, noGrad, fromArray } from "../../src/tensor/index.ts";
import { decode, isEncoded, maxRelErr, readFixture, type EncodedTensor } from "../helpers/fixtures.ts";

interface OpCase {
  name: string;
  op: string;
  args: unknown[];
  out: EncodedTensor | EncodedTensor[];
  grad: boolean;
  tol: number;
  /** Argument positions autograd does not differentiate (running statistics, class weights). */
  nograd: number[];
}
const { cases } = readFixture<{ cases: OpCase[] }>("tensor/ops.json");

function buildArgs(c: OpCase, asF64: boolean): Arg[] {
  return c.args.map((a) => {
    if (isEncoded(a)) return decode(a, asF64 && a.dtype.startsWith("float") ? "float64" : undefined);
    if (Array.isArray(a) && a.some(isEncoded)) return a.map((x) => (x === null ? null : decode(x as EncodedTensor, asF64 && (x as EncodedTensor).dtype.startsWith("float") ? "float64" : undefined)));
    return a as Arg;
  });
}

function run(c: OpCase, args: Arg[]): Tensor[] {
  return Array.isArray(c.out) ? runOpMulti(c.op, ...args) : [runOp(c.op, ...args)];
}

describe("ops match PyTorch", () => {
  for (const c of cases) {
    it(c.name, () => {
      tidy(() => {
        const outs = run(c, buildArgs(c, false));
        const expected = Array.isArray(c.out) ? c.out : [c.out];
        assert.equal(outs.length, expected.length);
        outs.forEach((o, i) => {
          assert.equal(o.dtype, expected[i].dtype, `${c.name}: dtype`);
          // float16 values come back as raw bits: compare their float32 conversion.
          const err = maxRelErr(o.dtype === "float16" ? o.to("float32") : o, expected[i]);
          assert.ok(err <= c.tol, `${c.name}: output ${i} differs from PyTorch by ${err} (tol ${c.tol})`);
        });
      });
    });
  }
});

// Gradient of L = sum(out * w) with fixed random w, w.r.t. every float input, by autograd and
// by central differences on up to 6 elements per input.
describe("gradients match finite differences (float64)", () => {
  for (const c of cases.filter((x) => x.grad)) {
    it(c.name, () => {
      tidy(() => {
        const args = buildArgs(c, true);
        const inputs = args.filter((_, i) => !c.nograd.includes(i)).flatMap((a) => (Array.isArray(a) ? a : [a])).filter((a): a is Tensor => typeof a === "object" && a !== null && "native" in a && (a as Tensor).dtype === "float64");
        for (const t of inputs) t.requiresGrad = true;
        const out0 = run(c, args)[0];
        const w = fromArray(Float64Array.from({ length: out0.numel }, (_, i) => Math.sin(i * 1.7 + 0.3)), out0.shape as number[]);
        const loss = out0.mul(w).sum();
        loss.backward();
        const h = 1e-6;
        for (const t of inputs) {
          const g = t.grad!.data() as Float64Array;
          const n = t.numel;
          const picks = Array.from(new Set([0, n - 1, Math.floor(n / 2), Math.floor(n / 3), Math.floor(n / 5), Math.floor((2 * n) / 3)]));
          for (const k of picks) {
            const lossAt = (delta: number): number =>
              noGrad(() =>
                tidy(() => {
                  const flat = t.data() as Float64Array;
                  flat[k] += delta;
                  const moved = fromArray(flat, t.shape as number[]);
                  const a2 = args.map((a) => (a === t ? moved : Array.isArray(a) ? a.map((x) => (x === t ? moved : x)) : a)) as Arg[];
                  return run(c, a2)[0].mul(w).sum().item();
                }),
              );
            const numeric = (lossAt(h) - lossAt(-h)) / (2 * h);
            assert.ok(Math.abs(numeric - g[k]) <= 1e-5 * (1 + Math.abs(numeric)), `${c.name}: d/dx[${k}] autograd ${g[k]} vs numeric ${numeric}`);
          }
        }
      });
    });
  }
});
