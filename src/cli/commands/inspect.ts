/**
 * `aunce inspect <file>`: lists a checkpoint's tensors (name, dtype, shape), the totals and its
 * metadata. Reads .safetensors and torch .pth/.pt (zip or legacy) through the restricted
 * unpickler, so inspecting an untrusted file runs nothing.
 */
import type { Command } from "commander";
import { readCheckpoint, type LoadedCheckpoint } from "../../models/checkpoint/load.ts";
import { numel } from "../../models/checkpoint/raw.ts";

/** Human-readable byte count (binary units). */
function bytesText(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Renders the report `aunce inspect` prints, as lines. */
export function inspectLines(path: string, ck: LoadedCheckpoint, opts: { limit?: number } = {}): string[] {
  const rows = [...ck.tensors].map(([name, t]) => [name, t.dtype, `[${t.shape.join(", ")}]`]);
  const width = [0, 1].map((i) => Math.max(4, ...rows.map((r) => r[i].length)));
  const lines = [`${path} (${ck.format}, ${rows.length} tensors)`, ""];
  lines.push(`${"name".padEnd(width[0])}  ${"dtype".padEnd(width[1])}  shape`);
  const shown = opts.limit !== undefined && opts.limit >= 0 ? rows.slice(0, opts.limit) : rows;
  for (const r of shown) lines.push(`${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2]}`);
  if (shown.length < rows.length) lines.push(`... ${rows.length - shown.length} more (use --limit -1 for all)`);
  let params = 0;
  let bytes = 0;
  for (const t of ck.tensors.values()) {
    params += numel(t.shape);
    bytes += t.data.byteLength;
  }
  lines.push("", `total: ${params.toLocaleString("en-US")} parameters (elements), ${bytesText(bytes)}`);
  const meta = Object.entries(ck.metadata);
  if (meta.length) {
    lines.push("", "metadata:");
    for (const [k, v] of meta) lines.push(`  ${k}: ${v}`);
  }
  return lines;
}

/** Registers `inspect` on the program. */
export function register(program: Command): void {
  program
    .command("inspect")
    .description("list a checkpoint's tensors (name, dtype, shape) and metadata; .safetensors, .pth, .pt")
    .argument("<file>", "checkpoint file")
    .option("--limit <n>", "show at most n tensors (-1: all)", "-1")
    .option("--json", "print JSON instead of a table")
    .action(async (file: string, opts: { limit: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit)) throw new Error(`--limit: expected an integer, got '${opts.limit}'`);
      const ck = await readCheckpoint(file);
      if (opts.json) {
        const tensors = [...ck.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
        console.log(JSON.stringify({ file, format: ck.format, tensors, metadata: ck.metadata }, null, 2));
        return;
      }
      console.log(inspectLines(file, ck, { limit: limit < 0 ? undefined : limit }).join("\n"));
    });
}
