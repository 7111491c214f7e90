/**
 * A fixed pool of loader worker threads fed from one queue. Each worker holds up to `depth` tasks so
 * its next image decodes (in sharp's thread pool) while the current one is augmented.
 */
import { Worker } from "node:worker_threads";
import type { AugmentConfig } from "./transforms/params.ts";
import type { SampleTask } from "./sample.ts";
import { workerEntry } from "./worker-entry.ts";

interface Pending {
  task: SampleTask;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  private readonly workers: { w: Worker; inFlight: Map<number, Pending> }[] = [];
  private readonly queue: Pending[] = [];
  private failure: Error | undefined;
  private closed = false;

  constructor(
    count: number,
    cfg: AugmentConfig,
    private readonly depth = 2,
  ) {
    for (let i = 0; i < count; i++) {
      const w = new Worker(workerEntry(import.meta.url, "loader-worker"), { workerData: { cfg } });
      const slot = { w, inFlight: new Map<number, Pending>() };
      w.on("message", (m: { id: number; error?: string }) => {
        const p = slot.inFlight.get(m.id);
        if (!p) return;
        slot.inFlight.delete(m.id);
        if (m.error) p.reject(new Error(m.error));
        else p.resolve();
        this.pump();
      });
      w.on("error", (err) => this.fail(err));
      w.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`loader worker exited with code ${code}`));
      });
      w.unref();
      this.workers.push(slot);
    }
  }

  /** Runs `task` on some worker; resolves when its outputs are written. */
  run(task: SampleTask): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.workers) {
      while (slot.inFlight.size < this.depth && this.queue.length > 0) {
        const p = this.queue.shift()!;
        slot.inFlight.set(p.task.id, p);
        slot.w.postMessage(p.task);
      }
      // Idle workers do not keep the process alive, so a loader that is never closed cannot hang it.
      if (slot.inFlight.size > 0) slot.w.ref();
      else slot.w.unref();
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const slot of this.workers) for (const p of slot.inFlight.values()) p.reject(err);
    for (const p of this.queue.splice(0)) p.reject(err);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}
