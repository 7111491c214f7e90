// Our port of face-api's nets vs face-api itself on tfjs' wasm backend, same pixels, same process:
//   FACEAPI_REF_DIR=/tmp/faceref node --import tsx bench/face-nets.ts
// (set-up of FACEAPI_REF_DIR: see scripts/fixtures/faceapi_reference.mjs; without it only our
// side runs). Times SSD detection + 68 landmarks on the two fixture photos, best of 3 after a
// warm-up, at 1 engine thread (the wasm build is single-threaded) and at 2.
import { loadavg } from "node:os";
import { SsdMobilenetV1 } from "../src/face/detect.ts";
import { decodeImage, type RgbImage } from "../src/face/image.ts";
import { FaceLandmark68Net } from "../src/face/landmarks.ts";
import { setNumThreads } from "../src/tensor/index.ts";
import { faceApiRefDir, hasFaceApiRef, loadFaceApiRef } from "../scripts/fixtures/faceapi-ref.mjs";

const photos = ["group.jpg", "group2.jpg"].map((f) => new URL(`../test/fixtures/face/${f}`, import.meta.url).pathname);
const images: RgbImage[] = [];
for (const p of photos) images.push(await decodeImage(p));

async function best(fn: () => Promise<unknown> | unknown): Promise<number> {
  await fn();
  let ms = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const det = SsdMobilenetV1.load();
const lm = FaceLandmark68Net.load();
for (const threads of [1, 2]) {
  setNumThreads(threads);
  for (const [i, img] of images.entries()) {
    const ms = await best(() => lm.detect(img, det.detect(img, { minConfidence: 0.3 })));
    console.log(`aunce (libtorch, ${threads} thread${threads > 1 ? "s" : ""})  ${photos[i].split("/").pop()}: ${ms.toFixed(0)} ms`);
  }
}
det.dispose();
lm.dispose();

if (hasFaceApiRef()) {
  const { tf, faceapi } = await loadFaceApiRef(["ssdMobilenetv1", "faceLandmark68Net"]);
  const opts = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 });
  for (const [i, img] of images.entries()) {
    const t = tf.tensor3d(new Int32Array(img.data), [img.height, img.width, 3], "int32");
    const ms = await best(() => faceapi.detectAllFaces(t, opts).withFaceLandmarks());
    t.dispose();
    console.log(`face-api (tfjs ${tf.version_core} wasm)   ${photos[i].split("/").pop()}: ${ms.toFixed(0)} ms`);
  }
} else {
  console.log(`face-api reference not installed in ${faceApiRefDir}; skipped`);
}
console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
