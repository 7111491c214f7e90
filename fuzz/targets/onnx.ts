/** Fuzz target: an ONNX model (protobuf ModelProto) read into raw tensors and nodes. */
import { parseOnnx } from "../../src/models/checkpoint/onnx.ts";
import { parsedOrRefused } from "../clean.ts";

export const SOURCE = "fuzz.onnx";

export async function fuzz(data: Buffer): Promise<void> {
  await parsedOrRefused(SOURCE, () => parseOnnx(data, SOURCE));
}
