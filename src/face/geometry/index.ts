/**
 * The face pipeline's pure geometry (no engine, no Node APIs): boxes and NMS, YuNet decoding,
 * similarity alignment maths, the IoU tracker and the detector settings. Imported by the libtorch
 * pipeline (src/face) and the browser build alike.
 */
export * from "./box.ts";
export * from "./yunet-decode.ts";
export * from "./similarity.ts";
export * from "./tracker.ts";
export * from "./detector-options.ts";
export * from "./landmark-crop.ts";
export * from "./landmark-input.ts";
export * from "./follow.ts";
export * from "./warp.ts";
export * from "./au-input.ts";
export * from "./mirror.ts";
