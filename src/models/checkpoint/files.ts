/**
 * File helpers shared by the checkpoint readers and writers: whole-file reads with errors that name
 * the path, and atomic writes (temp file in the same folder, fsync, rename) so an interrupted save
 * never leaves a truncated checkpoint under the real name.
 */
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Reads a whole file; a missing file or a folder gives an Error naming the path. Reads in large
 * positioned chunks into one buffer: fs.promises.readFile's small chunks made 100 MB take ~3x longer.
 */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      // Own ArrayBuffer (not the small-buffer pool), so tensor views never share memory with other data.
      const out = Buffer.allocUnsafeSlow(size);
      let pos = 0;
      while (pos < size) {
        const { bytesRead } = await fh.read(out, pos, Math.min(size - pos, 1 << 26), pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
      }
      return pos === size ? out : out.subarray(0, pos);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${path}: no such file`);
    if (code === "EISDIR") throw new Error(`${path}: is a folder, expected a checkpoint file`);
    throw new Error(`${path}: cannot read (${(err as Error).message})`);
  }
}

/** Writes `chunks` in order to `path` atomically: `path` holds either the old file or all of the new one. */
export async function writeAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await open(tmp, "w");
  try {
    try {
      // writev with many large buffers is fine; batch to stay under IOV_MAX.
      for (let i = 0; i < chunks.length; i += 512) await fh.writev(chunks.slice(i, i + 512));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
