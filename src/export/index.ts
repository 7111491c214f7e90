/** ONNX export of the detection pipeline's networks (see docs/export.md). */
export { exportOnnxBundle, EXPORT_FORMAT_VERSION, type ExportBundleOptions, type ExportBundleResult } from "./bundle.ts";
export { exportAuModel, exportAuEncoder, AU_ONNX_IO, type AuOnnx } from "./au-model.ts";
export { exportLandmarkNet, exportBundledLandmarkNet, LANDMARK_ONNX_IO } from "./landmarks.ts";
export { exportSsd, exportBundledSsd, SSD_ONNX_IO } from "./ssd.ts";
export { GraphBuilder, ONNX_OPSET, ONNX_IR_VERSION, BATCH_DIM } from "./onnx-graph.ts";
