/**
 * `aunce export <checkpoint|bundled> --format onnx -o dir/`: the AU model, the 68-point landmark
 * net and the face detectors as ONNX files with JSON sidecars, for onnxruntime (web or native).
 * Everything is checked before the model loads: the format, the model file, the output folder.
 */
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { exportOnnxBundle } from "../../export/bundle.ts";
import { checkOutputFolder } from "../util/paths.ts";

interface ExportOpts {
  format: string;
  output?: string;
}

/** Export formats this command writes. */
export const EXPORT_FORMATS = ["onnx"] as const;

/** Validates and runs the export; resolves to the exit code. */
export async function runExport(model: string, opts: ExportOpts): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new Error(`--format: expected one of ${EXPORT_FORMATS.join(", ")}, got '${opts.format}'`);
  if (!opts.output) throw new Error("-o/--output: give the folder to write the exported files into (e.g. -o web-models/)");
  if (model !== "bundled") {
    if (!existsSync(model)) throw new Error(`${model}: no such file (give a checkpoint from \`aunce train --supervised\`, or 'bundled')`);
    if (statSync(model).isDirectory()) throw new Error(`${model} is a folder; give the checkpoint file in it`);
  }
  checkOutputFolder("-o", opts.output);
  const t0 = performance.now();
  const res = await exportOnnxBundle({ model, outDir: opts.output, onProgress: (m) => console.error(`aunce export: ${m}`) });
  console.error(`aunce export: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const f of res.files) console.log(f);
  return 0;
}

/** Registers `export` on the program. */
export function register(program: Command): void {
  program
    .command("export")
    .description("write the AU model, the 68-point landmark net and the face detectors (SSD, YuNet) as ONNX files with JSON sidecars, for onnxruntime-web / onnxruntime")
    .argument("<model>", "'bundled' (the bundled SynthAU-trained model) or a checkpoint from `aunce train --supervised`")
    .option("--format <format>", `export format (${EXPORT_FORMATS.join(", ")})`, "onnx")
    .option("-o, --output <dir>", "folder to write into (created if missing; files of the same names are replaced)")
    .action(async (model: string, opts: ExportOpts) => {
      process.exitCode = await runExport(model, opts);
    });
}
