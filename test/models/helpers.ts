// Shared helpers for the model conformance tests (fixtures: scripts/fixtures/models.py).
import { fromArray, noGrad, type Tensor } from "../../src/tensor/index.ts";
import type { Module } from "../../src/nn/index.ts";
import { maxRelErr, type EncodedTensor } from "../helpers/fixtures.ts";

/**
 * Fills every floating state-dict entry j (in state-dict order) with the formula of
 * scripts/fixtures/models.py `det_fill`, so both engines hold the same weights without a weight file.
 */
export function detFill(m: Module): void {
  noGrad(() => {
    let j = 0;
    for (const [name, t] of m.stateDict()) {
      const idx = j++;
      if (!(t.dtype === "float32" || t.dtype === "float64") || name.endsWith("attn_mask")) continue;
      const n = t.numel;
      const out = new Float32Array(n);
      const phase = 1.3 * idx + 0.2;
      let kind: (s: number) => number;
      if (t.ndim >= 2 && !name.endsWith("relative_position_bias_table")) {
        const scale = Math.sqrt(4 / (n / t.shape[0]));
        kind = (s) => s * scale;
      } else if (name.endsWith("running_var")) kind = (s) => 1 + 0.25 * s;
      else if (name.endsWith("weight")) kind = (s) => 1 + 0.1 * s;
      else kind = (s) => 0.1 * s;
      for (let i = 0; i < n; i++) out[i] = kind(Math.sin(i * 0.61 + phase));
      const v = fromArray(out, t.shape);
      t.copy_(v);
      v.dispose();
    }
  });
}

/** The fixtures' deterministic input: sin(i * freq + phase) as float32, row-major. */
export function detInput(shape: number[], phase = 0.5, freq = 0.37): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * freq + phase);
  return fromArray(out, shape);
}

/** Max |a - e| / (|e| + 1) against a fixture tensor, after checking the shape. */
export function relErr(a: Tensor, e: EncodedTensor): number {
  return maxRelErr(a, e);
}

/** Keys, dtypes and shapes of a module's state dict, as the fixtures record them. */
export function describeState(m: Module): { name: string; dtype: string; shape: number[] }[] {
  return [...m.stateDict()].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] }));
}
