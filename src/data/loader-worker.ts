/** Loader worker thread: renders SampleTasks into the shared batch buffers (see loader.ts). */
import { parentPort, workerData } from "node:worker_threads";
import type { AugmentConfig } from "./transforms/params.ts";
import { renderSample, type SampleTask } from "./sample.ts";

const cfg = (workerData as { cfg: AugmentConfig }).cfg;
const scratch = new Float32Array(3 * cfg.cropSize * cfg.cropSize);

parentPort!.on("message", (task: SampleTask) => {
  renderSample(task, cfg, scratch).then(
    () => parentPort!.postMessage({ id: task.id }),
    (err: unknown) => parentPort!.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
