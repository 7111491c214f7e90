/** Worker-thread entry of the render pool: renders and writes batches of frames (see pool.ts). */
import { parentPort } from "node:worker_threads";
import sharp from "sharp";
import { runTask, type RenderTask } from "./pool.ts";
import { FaceRenderer } from "./render.ts";

// One libvips thread per worker: the pool already runs one worker per core.
sharp.concurrency(1);
sharp.cache(false);
const renderer = new FaceRenderer();

parentPort!.on("message", async (tasks: RenderTask[]) => {
  try {
    const landmarks: Float32Array[] = [];
    for (const t of tasks) landmarks.push(await runTask(renderer, t));
    parentPort!.postMessage({ landmarks });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
