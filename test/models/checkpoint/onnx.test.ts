import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import onnxProto from "onnx-proto";
import { checkOnnxOps, parseOnnx, readOnnx, readOnnxSync } from "../../../src/models/checkpoint/onnx.ts";

const { onnx } = onnxProto;
const YUNET = fileURLToPath(new URL("../../../assets/yunet/yunet_n_dynamic.onnx", import.meta.url));

/** A one-node model: y = Add(x, w) with initializer w of the given dtype, plus a Constant node. */
function tinyModel(dataType: number, raw: Uint8Array): Uint8Array {
  const T = onnx.AttributeProto.AttributeType;
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "aunce-test",
    opsetImport: [{ domain: "", version: 13 }],
    graph: {
      name: "g",
      input: [{ name: "x" }, { name: "w" }],
      output: [{ name: "y" }],
      initializer: [{ name: "w", dims: [2], dataType, rawData: raw }],
      node: [
        { opType: "Constant", output: ["c"], attribute: [{ name: "value", type: T.TENSOR, t: { dims: [1], dataType: 7, int64Data: [5] } }] },
        { opType: "Add", name: "add", input: ["x", "w"], output: ["y"], attribute: [{ name: "axes", type: T.INTS, ints: [0, 2] }, { name: "mode", type: T.STRING, s: new TextEncoder().encode("nearest") }] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

test("parseOnnx reads YuNet's graph: opset, inputs, outputs, float32 initializers, node attributes", async () => {
  const g = await readOnnx(YUNET);
  assert.equal(g.opset, 11);
  assert.deepEqual(g.inputs, ["input"]);
  assert.deepEqual(g.outputs, ["cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32"]);
  assert.equal(g.nodes.length, 163);
  const conv0 = g.nodes[0];
  assert.equal(conv0.opType, "Conv");
  assert.deepEqual(conv0.attributes.get("strides"), [2, 2]);
  assert.deepEqual(conv0.attributes.get("pads"), [1, 1, 1, 1]);
  assert.equal(conv0.attributes.get("group"), 1);
  const w = g.initializers.get(conv0.inputs[1])!;
  assert.deepEqual([w.dtype, w.shape, w.data.byteLength], ["float32", [16, 3, 3, 3], 16 * 27 * 4]);
  // Conv weights and biases: 73,840 (the authors' 75,856 also count the batch norms this export folded into them).
  let params = 0;
  for (const n of g.nodes) if (n.opType === "Conv") for (const i of n.inputs.slice(1)) params += g.initializers.get(i)!.data.byteLength / 4;
  assert.equal(params, 73840);
  assert.equal(readOnnxSync(YUNET).nodes.length, 163);
});

test("parseOnnx: Constant nodes become initializers; int, list and string attributes decoded", () => {
  const g = parseOnnx(tinyModel(1, new Uint8Array(new Float32Array([1.5, -2]).buffer)));
  assert.deepEqual(g.inputs, ["x"]);
  assert.equal(g.producer, "aunce-test");
  assert.deepEqual(Array.from(new Float32Array(g.initializers.get("w")!.data.buffer)), [1.5, -2]);
  const c = g.initializers.get("c")!;
  assert.deepEqual([c.dtype, c.shape, Array.from(new BigInt64Array(c.data.buffer))], ["int64", [1], [5n]]);
  assert.equal(g.nodes.length, 1);
  assert.deepEqual(g.nodes[0].attributes.get("axes"), [0, 2]);
  assert.equal(g.nodes[0].attributes.get("mode"), "nearest");
});

test("parseOnnx: clear errors for unsupported dtypes, short data, non-models, missing files and ops", () => {
  assert.throws(() => parseOnnx(tinyModel(10, new Uint8Array(4)), "x.onnx"), /x.onnx: ONNX tensor 'w': unsupported dtype FLOAT16 \(aunce reads FLOAT, INT32 and INT64\)/);
  assert.throws(() => parseOnnx(tinyModel(1, new Uint8Array(4)), "x.onnx"), /x.onnx: ONNX tensor 'w': 4 bytes of data for shape \[2\] float32 \(expected 8\)/);
  assert.throws(() => parseOnnx(new Uint8Array([1, 2, 3, 4, 5]), "x.onnx"), /x.onnx: not an ONNX model/);
  assert.throws(() => readOnnxSync("/nonexistent/m.onnx"), /\/nonexistent\/m.onnx: no such file/);
  const g = parseOnnx(tinyModel(1, new Uint8Array(8)));
  assert.throws(() => checkOnnxOps(g, ["Conv", "Relu"], "net"), /net: unsupported ONNX ops Add \(x1\); supported: Conv, Relu/);
  checkOnnxOps(g, ["Add"], "net");
  g.nodes.push({ ...g.nodes[0], domain: "com.microsoft" }, { ...g.nodes[0], domain: "com.microsoft" });
  assert.throws(() => checkOnnxOps(g, ["Add"], "net"), /net: unsupported ONNX ops com.microsoft.Add \(x2\)/);
});
