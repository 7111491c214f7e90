// Checkpoint I/O timings: `node --import tsx bench/checkpoint.ts <file.pth> [...]` reads each file
// (torch zip or legacy) through the restricted unpickler, then writes and re-reads its state dict as
// safetensors. Best of 3, wall time; the file is read from the page cache after the first run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTorchCheckpoint } from "../src/models/checkpoint/pth.ts";
import { readSafetensors, writeSafetensors } from "../src/models/checkpoint/safetensors.ts";
import { findStateDict } from "../src/models/checkpoint/state-dict.ts";
import { stateDictSize } from "../src/models/checkpoint/raw.ts";

async function best<T>(fn: () => Promise<T>): Promise<[number, T]> {
  let ms = Infinity;
  let out: T | undefined;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    out = await fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return [ms, out as T];
}

const dir = await mkdtemp(join(tmpdir(), "aunce-bench-"));
for (const file of process.argv.slice(2)) {
  const [readMs, ck] = await best(() => readTorchCheckpoint(file));
  const sd = findStateDict(ck.root, file).stateDict;
  const { params, bytes } = stateDictSize(sd);
  const out = join(dir, "w.safetensors");
  const [writeMs] = await best(() => writeSafetensors(out, sd));
  const [reReadMs] = await best(() => readSafetensors(out));
  console.log(
    `${file}: ${sd.size} tensors, ${(params / 1e6).toFixed(1)} M params, ${(bytes / 2 ** 20).toFixed(0)} MiB | ` +
      `read .pth ${readMs.toFixed(0)} ms | write .safetensors ${writeMs.toFixed(0)} ms | read .safetensors ${reReadMs.toFixed(0)} ms`,
  );
}
await rm(dir, { recursive: true });
