/**
 * A small ONNX graph writer on `onnx-proto` (protobufjs): named inputs with a symbolic batch
 * dimension, float32 / int64 initializers copied from our tensors, nodes with auto-named outputs,
 * serialised to a ModelProto (IR version 8, default-domain opset ONNX_OPSET).
 */
import onnxProto from "onnx-proto";
import type { Tensor } from "../tensor/index.ts";

const { onnx } = onnxProto;

/**
 * Default-domain opset the exporters target (>= 17 for LayerNormalization; from 18 on every reduce
 * op takes its axes as an input, which the emitters rely on).
 */
export const ONNX_OPSET = 18;
/** ONNX IR version for opset 18 (onnx 1.13+). */
export const ONNX_IR_VERSION = 8;

/** Name of the symbolic batch dimension on every exported input and output. */
export const BATCH_DIM = "batch";

/** A dimension: a fixed size or the symbolic batch. */
export type Dim = number | typeof BATCH_DIM;

/** Attribute values the emitters use. */
export type AttrValue = number | string | readonly number[] | { float: number } | { floats: readonly number[] };

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function attribute(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === "string") return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new TypeError(`attribute ${name}: integer expected, got ${v} (use { float })`);
    return onnx.AttributeProto.create({ name, type: A.INT, i: v });
  }
  if ("float" in v) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: v.float });
  if ("floats" in v) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: [...v.floats] });
  return onnx.AttributeProto.create({ name, type: A.INTS, ints: [...v] });
}

function valueInfo(name: string, shape: readonly Dim[], elemType = FLOAT): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/** A tensor's values as float32 (converted copy when it is another dtype). */
function float32Data(t: Tensor): Float32Array {
  if (t.dtype === "float32") return t.data<"float32">();
  const f = t.to("float32");
  try {
    return f.data<"float32">();
  } finally {
    f.dispose();
  }
}

/** Builds one ONNX graph. Names are unique per builder; `value`s are tensor names in the graph. */
export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly inits: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh, unused name with the given prefix. */
  fresh(prefix: string): string {
    let n = prefix;
    while (this.used.has(n)) n = `${prefix}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  /** Declares a float32 graph input, e.g. input("crops", ["batch", 3, 224, 224]). */
  input(name: string, shape: readonly Dim[]): string {
    if (this.used.has(name)) throw new Error(`GraphBuilder: name '${name}' already used`);
    this.used.add(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  /** Marks `value` as a float32 graph output named `name` (an Identity renames it). */
  output(value: string, name: string, shape: readonly Dim[]): void {
    if (this.used.has(name)) throw new Error(`GraphBuilder: name '${name}' already used`);
    this.used.add(name);
    this.nodes.push(onnx.NodeProto.create({ opType: "Identity", input: [value], output: [name], name: `${name}_out` }));
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 initializer from a tensor (copied; the tensor stays the caller's) or an array. */
  weight(prefix: string, t: Tensor | { data: Float32Array; shape: readonly number[] }): string {
    const data = "dtype" in t ? float32Data(t as Tensor) : t.data;
    const shape = [...t.shape];
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new RangeError(`GraphBuilder.weight(${prefix}): ${data.length} values for shape [${shape}]`);
    const name = this.fresh(prefix);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.inits.push(onnx.TensorProto.create({ name, dims: shape, dataType: FLOAT, rawData: bytes }));
    return name;
  }

  /** A float32 constant (shared between uses with the same values). */
  floats(values: readonly number[], shape: readonly number[] = [values.length]): string {
    const key = `f:${shape.join("x")}:${values.join(",")}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.weight("const_f", { data: Float32Array.from(values), shape });
    this.constCache.set(key, name);
    return name;
  }

  /** An int64 1-d constant (shapes, axes, pads, K), shared between uses. */
  ints(values: readonly number[]): string {
    const key = `i:${values.join(",")}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh("const_i");
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) }));
    this.constCache.set(key, name);
    return name;
  }

  /** Appends a node; returns its output names (`outputs` of them, default 1). */
  nodeN(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const base = this.fresh(opType.toLowerCase());
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? base : this.fresh(`${base}_o${i}`)));
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: base,
        input: [...inputs],
        output: outs,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** Appends a one-output node and returns that output's name. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.nodeN(opType, inputs, attrs, 1)[0];
  }

  /** Operator types used so far (for the runtime-compatibility check). */
  opTypes(): Set<string> {
    return new Set(this.nodes.map((n) => n.opType));
  }

  /** The serialised ModelProto. */
  toBytes(meta: { producer: string; docString?: string; metadata?: Record<string, string> } = { producer: "aunce" }): Uint8Array {
    if (!this.inputs.length || !this.outputs.length) throw new Error(`GraphBuilder(${this.name}): a graph needs at least one input and one output`);
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      producerName: meta.producer,
      producerVersion: "0.1.0",
      docString: meta.docString ?? "",
      opsetImport: [{ domain: "", version: ONNX_OPSET }],
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.inits,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
