/** Checkpoint I/O without a tensor engine: safetensors, torch .pth (restricted), key maps, our format. */
export * from "./raw.ts";
export * from "./safetensors.ts";
export { parseTorchCheckpoint, readTorchCheckpoint, type TorchCheckpoint } from "./pth.ts";
export { isTuple } from "./pickle.ts";
export * from "./state-dict.ts";
export * from "./compare.ts";
export * from "./load.ts";
export * from "./aunce-format.ts";
export * from "./keymaps/keymap.ts";
export * from "./keymaps/resnet.ts";
export * from "./keymaps/swin.ts";
export * from "./onnx.ts";
export * from "./tfjs.ts";
