/**
 * The one hand-off from the loader's plain typed arrays to engine tensors. `fromArray` copies each
 * array once into libtorch memory, after which the loader may reuse its batch slot.
 * Zero copies would need a tensor that borrows the shared slot, which would clash with slot reuse;
 * one memcpy of a 32x3x224x224 batch costs a few milliseconds against a training step's seconds.
 */
import { fromArray, type Tensor } from "../tensor/index.ts";
import type { Batch } from "./loader.ts";

/** Engine tensors of one batch; `dispose()` frees them all. */
export interface BatchTensors {
  /** One [B,3,S,S] float32 tensor per view. */
  views: Tensor[];
  /** [B, numAus] float32: 1 present, 0 absent, -1 masked. */
  labels: Tensor;
  dispose(): void;
}

/**
 * Copies a loader batch into engine tensors (one copy per array). With a CUDA `device` the host
 * copy is pinned and moved with a non-blocking copy, so the transfer overlaps the work already
 * queued on the GPU (the pinned block is recycled only after its copy has run).
 */
export function batchToTensors(b: Batch, device = "cpu"): BatchTensors {
  const move = (t: Tensor): Tensor => {
    if (device === "cpu") return t;
    const pinned = t.pinMemory();
    t.dispose();
    const d = pinned.toDevice(device, { nonBlocking: true });
    pinned.dispose();
    return d;
  };
  const views = b.views.map((v) => move(fromArray(v, [...b.shape])));
  const labels = move(fromArray(b.labels, [b.shape[0], b.labels.length / b.shape[0]]));
  return {
    views,
    labels,
    dispose() {
      for (const t of views) t.dispose();
      labels.dispose();
    },
  };
}
