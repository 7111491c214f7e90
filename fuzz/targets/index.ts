/** Every fuzz target by name (the folder names under fuzz/corpus/). */
import * as bp4d from "./bp4d.ts";
import * as config from "./config.ts";
import * as disfa from "./disfa.ts";
import * as onnx from "./onnx.ts";
import * as pickle from "./pickle.ts";
import * as pthZip from "./pth-zip.ts";
import * as safetensors from "./safetensors.ts";
import * as tfjsManifest from "./tfjs-manifest.ts";
import * as thresholds from "./thresholds.ts";

export const TARGETS: Record<string, (data: Buffer) => Promise<void>> = {
  "pth-zip": pthZip.fuzz,
  pickle: pickle.fuzz,
  safetensors: safetensors.fuzz,
  onnx: onnx.fuzz,
  "tfjs-manifest": tfjsManifest.fuzz,
  config: config.fuzz,
  thresholds: thresholds.fuzz,
  bp4d: bp4d.fuzz,
  disfa: disfa.fuzz,
};
