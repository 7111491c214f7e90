/**
 * `aunce/web`: AU detection in the browser on onnxruntime-web. Result types are Node's; nothing
 * here loads the native engine.
 */
export { createAuDetector, type WebAuDetector, type WebAuDetectorOptions, type WebStageTimes } from "./detector.ts";
export { ModelLoadError, UnsupportedBrowserError, runtimeSupport, type RuntimeOptions, type RuntimeSupport } from "./runtime.ts";
export type { AuSidecar } from "./models.ts";
export type * from "./types.ts";
export { createFaceFinder, type FaceFinder, type FaceFinderOptions } from "./faces.ts";
export type { YunetFace } from "../face/geometry/index.ts";
export type { GeometryModelFile } from "../face/geometry/geometry-model.ts";
