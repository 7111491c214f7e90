/**
 * `npm run bench`: runs the benchmarks one after another, each in its own process so one area's
 * threads and memory do not colour the next (`npm run bench -- engine data` runs only those).
 * Every benchmark is also a standalone script: `node --import tsx bench/<area>.ts [options]`.
 *   engine   ResNet-18 training step and inference vs PyTorch (foundation)
 *   models   Swin-T / ResNet-50 training steps vs PyTorch, AUNCE loss share
 *   data     augmented two-view batches/s, data-wait share of a ResNet-18 AUNCE epoch
 *   synth    SynthAU images/s
 *   detect   aunce detect fps on a 640x480 video, per stage
 *   web      the browser build's fps on a 640x480 one-face fake camera (headless chromium, wasm threads), per stage
 *   hard-faces  detector recall and false faces on hard SynthAU faces and real photos, YuNet vs SSD
 *   face-nets  our face-api port vs face-api on tfjs-wasm (when FACEAPI_REF_DIR is set)
 *   realface  the real-face check (a proxy: expression-net weak labels, mirror consistency) of the bundled AU model
 *   onnx     the exported ONNX models in onnxruntime-node / -web (wasm) vs libtorch, per network
 *   memory-video  RSS over a 20-minute 640x480 stream through `aunce detect` (flat after warm-up)
 *   memory-train  RSS over 10,000 training steps (flat after warm-up)
 *   study    the SynthAU study's timing probe and its 2-core plan's estimated total (scripts/study.ts --plan)
 *   dist     data-parallel: gradient all-reduce time and share of a ResNet-18 step, 2 processes vs 1 (Gloo)
 * (bench/checkpoint.ts times .pth/.safetensors I/O on files you name; run it directly.)
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const ALL = ["engine", "models", "data", "synth", "detect", "hard-faces", "web", "onnx", "face-nets", "realface", "memory-video", "memory-train", "study", "dist"];
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const areas = only.length ? only : ALL;
let failed = 0;
for (const area of areas) {
  if (!ALL.includes(area)) {
    console.error(`unknown benchmark '${area}' (known: ${ALL.join(", ")})`);
    failed++;
    continue;
  }
  console.log(`\n# bench: ${area} (load average ${loadavg()[0].toFixed(2)})`);
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`./${area}.ts`, import.meta.url))], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
