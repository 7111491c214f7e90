/**
 * The aunce package's public surface (package.json "exports"): the AU detector for Node apps, the
 * pieces it is built from that apps may want to swap (AU model interface, alignment template),
 * ONNX export for browsers and other runtimes, and the engine entry points for memory accounting.
 */
export { createAuDetector, type AuDetector, type AuDetectorOptions, type DetectedFace, type AuResult } from "./api/detector.ts";
export type { AuModel } from "./face/au-model.ts";
export { LinearProbeAuModel, loadAuModelFromCheckpoint } from "./face/au-model.ts";
export { ALIGN_TEMPLATE_V1, AU_INPUT, type AlignTemplate } from "./face/align.ts";
export type { RgbImage } from "./face/image.ts";
export { DETECTOR_DEFAULTS, DETECTOR_KINDS, type DetectorKind } from "./face/geometry/detector-options.ts";
export { decodeImage } from "./face/image.ts";
export { loadGeometryModel, DEFAULT_GEOMETRY_MODEL_PATH } from "./face/geometry-au.ts";
export { geometryFeatures, GEOMETRY_FEATURE_COUNT } from "./face/geometry/au-geometry.ts";
export { trainGeometryModel, predictGeometry, fuseGeometry, type GeometryModelFile, type GeometryTrainOptions } from "./face/geometry/geometry-model.ts";
export { Tensor, tidy, liveTensors, setNumThreads } from "./tensor/index.ts";
export { exportOnnxBundle, exportAuModel, type ExportBundleOptions, type ExportBundleResult } from "./export/index.ts";
