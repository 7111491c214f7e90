/**
 * ONNX models (https://onnx.ai, protobuf `ModelProto`) read without a tensor engine, decoded with
 * the `onnx-proto` package: the graph's initializers as RawTensors, its nodes with their attributes
 * as plain values, and its inputs and outputs. Constant nodes are turned into initializers. Only
 * the dtypes aunce runs are accepted (float32 weights; int64/int32 shape tensors); anything else
 * is refused with the tensor's name and dtype. Which ops a model may use is up to its builder
 * (`checkOnnxOps`).
 */
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import { readWholeFile } from "./files.ts";
import { numel, type RawDType, type RawTensor } from "./raw.ts";

const { onnx } = onnxProto;

/** One attribute value: a number, string, list of either, or a tensor. */
export type OnnxAttribute = number | string | number[] | string[] | RawTensor;

/** One graph node. */
export interface OnnxNode {
  name: string;
  opType: string;
  /** "" for the default ONNX domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A decoded model graph. */
export interface OnnxGraph {
  /** The default-domain opset version. */
  opset: number;
  producer: string;
  /** Graph inputs that are not initializers. */
  inputs: string[];
  outputs: string[];
  /** Weights and constants by name, float32/int64/int32. */
  initializers: Map<string, RawTensor>;
  /** Nodes in the file's (topological) order. */
  nodes: OnnxNode[];
}

/** ONNX TensorProto.DataType codes aunce reads, and the names of the others for errors. */
const DTYPES: Record<number, RawDType> = { 1: "float32", 6: "int32", 7: "int64" };
const DTYPE_NAMES: Record<number, string> = { 0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64", 8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64", 14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16" };

/** protobufjs gives int64 fields as Long objects or numbers. */
type LongLike = number | { toNumber(): number };
const num = (v: LongLike | null | undefined): number => (v == null ? 0 : typeof v === "number" ? v : v.toNumber());

/** A TensorProto as a RawTensor (little-endian bytes, copied out of the protobuf buffer). */
function tensorOf(t: onnxProto.onnx.ITensorProto, where: string): RawTensor {
  const name = t.name || where;
  const code = t.dataType ?? 0;
  const dtype = DTYPES[code];
  if (!dtype) throw new Error(`ONNX tensor '${name}': unsupported dtype ${DTYPE_NAMES[code] ?? code} (aunce reads FLOAT, INT32 and INT64)`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new Error(`ONNX tensor '${name}': external data files are not supported`);
  const shape = (t.dims ?? []).map(num);
  const n = numel(shape);
  let data: Uint8Array;
  if (t.rawData && t.rawData.length) {
    data = Uint8Array.from(t.rawData);
  } else if (dtype === "float32") {
    data = new Uint8Array(Float32Array.from(t.floatData ?? []).buffer);
  } else if (dtype === "int32") {
    data = new Uint8Array(Int32Array.from(t.int32Data ?? []).buffer);
  } else {
    data = new Uint8Array(BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(num(v as LongLike)))).buffer);
  }
  const want = n * (dtype === "int64" ? 8 : 4);
  if (data.byteLength !== want) throw new Error(`ONNX tensor '${name}': ${data.byteLength} bytes of data for shape [${shape}] ${dtype} (expected ${want})`);
  return { dtype, shape, data };
}

function attributeOf(a: onnxProto.onnx.IAttributeProto, node: string): OnnxAttribute {
  const T = onnx.AttributeProto.AttributeType;
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return num(a.i as LongLike);
    case T.STRING: return text(a.s ?? new Uint8Array());
    case T.TENSOR:
      if (!a.t) throw new Error(`ONNX node '${node}': tensor attribute '${a.name}' has no tensor`);
      return tensorOf(a.t, `${node}.${a.name}`);
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => num(v as LongLike));
    case T.STRINGS: return (a.strings ?? []).map(text);
    default: throw new Error(`ONNX node '${node}': attribute '${a.name}' has an unsupported type (${a.type})`);
  }
}

/** Decodes an ONNX model from its bytes. Throws an Error for bytes that are not a model graph. */
export function parseOnnx(bytes: Uint8Array, source = "ONNX model"): OnnxGraph {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`${source}: not an ONNX model (${(err as Error).message})`);
  }
  try {
    return graphOf(model, source);
  } catch (err) {
    // Errors about one tensor or node get the file's name in front (callers see which input).
    if (err instanceof Error && err.constructor === Error && !err.message.startsWith(source)) throw new Error(`${source}: ${err.message}`);
    throw err;
  }
}

function graphOf(model: onnxProto.onnx.ModelProto, source: string): OnnxGraph {
  const g = model.graph;
  if (!g || !g.node?.length) throw new Error(`${source}: not an ONNX model (no graph nodes)`);
  const initializers = new Map<string, RawTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? "", tensorOf(t, "initializer"));
  const nodes: OnnxNode[] = [];
  for (const [k, n] of g.node.entries()) {
    const name = n.name || `node ${k} (${n.opType})`;
    const attributes = new Map<string, OnnxAttribute>();
    for (const a of n.attribute ?? []) attributes.set(a.name ?? "", attributeOf(a, name));
    if (n.opType === "Constant" && (n.domain ?? "") === "") {
      const v = attributes.get("value");
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`${source}: Constant node '${name}' has no tensor value`);
      if (!n.output?.length) throw new Error(`${source}: Constant node '${name}' has no output`);
      initializers.set(n.output[0], v);
      continue;
    }
    nodes.push({ name, opType: n.opType ?? "", domain: n.domain ?? "", inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attributes });
  }
  const opset = (model.opsetImport ?? []).find((o) => (o.domain ?? "") === "");
  return {
    opset: opset ? num(opset.version as LongLike) : 0,
    producer: model.producerName ?? "",
    inputs: (g.input ?? []).map((i) => i.name ?? "").filter((n) => !initializers.has(n)),
    outputs: (g.output ?? []).map((o) => o.name ?? ""),
    initializers,
    nodes,
  };
}

/** Reads and decodes an ONNX file (errors name the path). */
export async function readOnnx(path: string): Promise<OnnxGraph> {
  return parseOnnx(await readWholeFile(path), path);
}

/** readOnnx, synchronously (for loaders that build a net in a constructor). */
export function readOnnxSync(path: string): OnnxGraph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${(err as Error).message})`);
  }
  return parseOnnx(bytes, path);
}

/** Throws naming every op of `graph` outside `supported` (with a count), for a model `what`. */
export function checkOnnxOps(graph: OnnxGraph, supported: readonly string[], what: string): void {
  const bad = new Map<string, number>();
  for (const n of graph.nodes) {
    if (n.domain === "" && supported.includes(n.opType)) continue;
    const key = `${n.domain ? n.domain + "." : ""}${n.opType}`;
    bad.set(key, (bad.get(key) ?? 0) + 1);
  }
  if (bad.size) throw new Error(`${what}: unsupported ONNX ops ${[...bad].map(([op, c]) => `${op} (x${c})`).join(", ")}; supported: ${supported.join(", ")}`);
}

/** An int attribute list of a node, or `fallback`; throws naming the node when it has another type. */
export function intsAttr(node: OnnxNode, name: string, fallback: number[]): number[] {
  const v = node.attributes.get(name);
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number")) throw new Error(`ONNX node '${node.name}': attribute '${name}' should be a list of ints`);
  return v as number[];
}

/** An int or string attribute of a node, or `fallback`. */
export function scalarAttr<T extends number | string>(node: OnnxNode, name: string, fallback: T): T {
  const v = node.attributes.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== typeof fallback) throw new Error(`ONNX node '${node.name}': attribute '${name}' should be a ${typeof fallback}`);
  return v as T;
}
