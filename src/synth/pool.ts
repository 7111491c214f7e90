/**
 * Renders and writes frames, in worker threads (one per core by default) or in this thread when
 * workers = 0. Each frame is fully decided by its FrameSpec, so the files are identical for any
 * worker count and any completion order.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { encodeImage, type ImageFormat } from "./encode.ts";
import { FaceRenderer, type FrameSpec } from "./render.ts";

/** One frame to render and the file it goes to. */
export interface RenderTask {
  spec: FrameSpec;
  /** Absolute output path. */
  path: string;
  format: ImageFormat;
}

/** Renders, encodes and writes one task; returns its landmarks [68*2] float32 pixels. */
export async function runTask(renderer: FaceRenderer, task: RenderTask): Promise<Float32Array> {
  const f = renderer.render(task.spec);
  const bytes = await encodeImage(f.rgb, f.size, task.spec.degrade, task.format);
  mkdirSync(dirname(task.path), { recursive: true });
  writeFileSync(task.path, bytes);
  return f.landmarks;
}

interface Pending {
  tasks: RenderTask[];
  resolve: (lm: Float32Array[]) => void;
  reject: (e: Error) => void;
}

/**
 * Starts a render worker. From dist/ the entry is worker.js. Under tsx (this file is .ts), tsx
 * does not register its loader in worker threads by itself, so a tiny bootstrap registers it
 * (tsx's own `register()` API) before importing worker.ts.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./worker.js", import.meta.url));
  const entry = new URL("./worker.ts", import.meta.url).href;
  const api = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true });
}

/** A pool of render workers with a bounded queue. */
export class RenderPool {
  private workers: Worker[] = [];
  private idle: Worker[] = [];
  private queue: Pending[] = [];
  private busy = new Map<Worker, Pending>();
  private local: FaceRenderer | null = null;
  private localChain: Promise<unknown> = Promise.resolve();
  private failed: Error | null = null;

  /** `workers`: thread count (0 = render in this thread). */
  constructor(readonly workerCount: number) {
    if (workerCount === 0) {
      this.local = new FaceRenderer();
      return;
    }
    for (let i = 0; i < workerCount; i++) {
      const w = startWorker();
      w.on("message", (msg: { landmarks?: Float32Array[]; error?: string }) => {
        const p = this.busy.get(w)!;
        this.busy.delete(w);
        if (msg.error) p.reject(new Error(`SynthAU render worker: ${msg.error}`));
        else p.resolve(msg.landmarks!);
        this.idle.push(w);
        this.pump();
      });
      w.on("error", (e) => {
        this.failed = e;
        const p = this.busy.get(w);
        if (p) p.reject(e);
        for (const q of this.queue.splice(0)) q.reject(e);
        for (const x of this.waiters.splice(0)) x.resolve();
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Frames waiting for a worker (callers keep this bounded to bound memory). */
  get queued(): number {
    return this.queue.reduce((s, p) => s + p.tasks.length, 0);
  }

  /** Renders a batch (best: consecutive frames of one sequence); resolves to landmarks per task. */
  run(tasks: RenderTask[]): Promise<Float32Array[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.local) {
      const local = this.local;
      const job = this.localChain.then(async () => {
        const out: Float32Array[] = [];
        for (const t of tasks) out.push(await runTask(local, t));
        return out;
      });
      this.localChain = job.catch(() => undefined);
      return job;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ tasks, resolve, reject });
      this.pump();
    });
  }

  private waiters: { limit: number; resolve: () => void }[] = [];

  /** Resolves once at most `limit` frames wait for a worker (back-pressure for big datasets). */
  whenQueueBelow(limit: number): Promise<void> {
    if (this.local || this.queued <= limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ limit, resolve }));
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.shift()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage(p.tasks);
    }
    const q = this.queued;
    this.waiters = this.waiters.filter((x) => (q <= x.limit ? (x.resolve(), false) : true));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
