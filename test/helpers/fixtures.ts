/** Decoding of the JSON tensor fixtures written by scripts/fixtures/*.py. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tensor, type DType, type Tensor } from "../../src/tensor/index.ts";

export interface EncodedTensor {
  tensor: true;
  shape: number[];
  dtype: string;
  data: (number | boolean)[];
}

export function isEncoded(v: unknown): v is EncodedTensor {
  return typeof v === "object" && v !== null && (v as EncodedTensor).tensor === true;
}

/** Reads test/fixtures/<rel> as JSON. */
export function readFixture<T>(rel: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url)), "utf8")) as T;
}

/** Builds a tensor from an encoded fixture (optionally in another dtype, e.g. float64 for grad checks). */
export function decode(e: EncodedTensor, dtype?: DType): Tensor {
  const dt = (dtype ?? e.dtype) as DType;
  return tensor(e.data.map(Number), { shape: e.shape, dtype: dt });
}

/** Max |a - b| / (|b| + 1) over all elements (both as numbers); throws on shape mismatch. */
export function maxRelErr(a: Tensor, expected: EncodedTensor): number {
  if (a.shape.join() !== expected.shape.join()) throw new Error(`shape [${a.shape}] != expected [${expected.shape}]`);
  const got = Array.from(a.data() as ArrayLike<number | bigint>, Number);
  let worst = 0;
  expected.data.forEach((v, i) => {
    const e = Number(v);
    const d = Math.abs(got[i] - e) / (Math.abs(e) + 1);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  });
  return worst;
}
