/**
 * Tiny stand-in ONNX networks with the exported models' interfaces, for testing the browser
 * pipeline's geometry end to end before (or besides) the real exports: each averages its input
 * image per channel, then applies a seeded linear map (and a sigmoid for the AU model). Their
 * outputs depend on every pixel of the crop they are given, so equal outputs mean equal crops.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** A seeded uniform draw in [-1, 1) (LCG). */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1;
}

/** A linear stand-in: y = act(mean_hw(x) @ W + b), x [N,3,S,S] -> y [N,K]. Returns the ONNX bytes. */
export function linearStandIn(W: Float32Array, b: Float32Array, sigmoid: boolean, size: number): Uint8Array {
  const K = b.length;
  if (W.length !== 3 * K) throw new RangeError(`linearStandIn: W must be 3x${K}, got ${W.length} values`);
  const f32 = (name: string, dims: number[], v: Float32Array) => ({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) });
  const vi = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  });
  const nodes = [
    { opType: "GlobalAveragePool", input: ["x"], output: ["pooled"], name: "pool" },
    { opType: "Flatten", input: ["pooled"], output: ["flat"], name: "flat", attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
    { opType: "MatMul", input: ["flat", "W"], output: ["mm"], name: "mm" },
    { opType: "Add", input: ["mm", "b"], output: [sigmoid ? "logits" : "y"], name: "add" },
    ...(sigmoid ? [{ opType: "Sigmoid", input: ["logits"], output: ["y"], name: "sigmoid" }] : []),
  ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    producerName: "aunce-test-standin",
    graph: {
      name: "standin",
      node: nodes,
      initializer: [f32("W", [3, K], W), f32("b", [K], b)],
      input: [vi("x", ["N", 3, size, size])],
      output: [vi("y", ["N", K])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The stand-in's maths in JS on an NCHW batch, for the Node reference. */
export function linearStandInRef(x: Float32Array, n: number, size: number, W: Float32Array, b: Float32Array, sigmoid: boolean): Float32Array {
  const K = b.length, plane = size * size;
  const out = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const m = [0, 1, 2].map((c) => {
      let s = 0;
      for (let p = 0; p < plane; p++) s += x[(i * 3 + c) * plane + p];
      return s / plane;
    });
    for (let k = 0; k < K; k++) {
      const v = m[0] * W[k] + m[1] * W[K + k] + m[2] * W[2 * K + k] + b[k];
      out[i * K + k] = sigmoid ? 1 / (1 + Math.exp(-v)) : v;
    }
  }
  return out;
}
