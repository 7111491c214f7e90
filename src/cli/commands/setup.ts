/**
 * `aunce setup`: builds (or rebuilds) the native addon inside this package for the engine
 * scripts/engine.mjs picks — LIBTORCH_DIR (CPU or CUDA), AUNCE_ENGINE, python3's torch, PyTorch's
 * CPU wheel (unpacked into the user cache for an installed package), Debian's libtorch-dev — or
 * copies a finished build of it from the cache. It runs scripts/setup.mjs --native-only, the same
 * set-up a clone uses; what an app runs when npm held back aunce's install script.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { option } from "../util/flags.ts";

const ENGINES = ["auto", "python", "local", "debian"];

/** scripts/setup.mjs of this package (src/ and dist/ sit at the same depth below it). */
const SETUP_SCRIPT = fileURLToPath(new URL("../../../scripts/setup.mjs", import.meta.url));

export function register(program: Command): void {
  program
    .command("setup")
    .description("build or rebuild the native addon for the chosen libtorch (what `npm install` does when install scripts may run)")
    .addOption(option("--engine <kind>", `which libtorch: ${ENGINES.join(", ")} (default: AUNCE_ENGINE, else auto: python3's torch, else PyTorch's CPU wheel, else Debian's)`))
    .addOption(option("--libtorch_dir <dir>", "build against this libtorch folder (an official zip, or a PyTorch wheel's torch/ folder; CPU or CUDA); default: LIBTORCH_DIR"))
    .addOption(option("--rebuild", "compile even when a finished build for this engine is cached"))
    .action((opts: { engine?: string; libtorch_dir?: string; rebuild?: boolean }) => {
      if (opts.engine !== undefined && !ENGINES.includes(opts.engine)) {
        throw new Error(`--engine: expected one of ${ENGINES.join(", ")}, got '${opts.engine}'`);
      }
      if (opts.engine !== undefined && opts.libtorch_dir !== undefined) {
        throw new Error("--engine and --libtorch_dir: give one of them (a folder is its own engine)");
      }
      if (opts.libtorch_dir !== undefined && !existsSync(opts.libtorch_dir)) {
        throw new Error(`--libtorch_dir: ${opts.libtorch_dir} does not exist`);
      }
      const env = { ...process.env };
      if (opts.libtorch_dir !== undefined) env.LIBTORCH_DIR = resolve(opts.libtorch_dir);
      if (opts.engine !== undefined) {
        env.AUNCE_ENGINE = opts.engine;
        delete env.LIBTORCH_DIR;
      }
      const args = [SETUP_SCRIPT, "--native-only", ...(opts.rebuild ? ["--rebuild"] : [])];
      const r = spawnSync(process.execPath, args, { stdio: "inherit", env });
      if (r.error) throw r.error;
      if (r.status !== 0) {
        process.exitCode = r.status ?? 1;
        return;
      }
      console.log("aunce setup: done; `aunce doctor` shows the engine the addon is built against.");
    });
}
