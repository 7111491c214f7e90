/**
 * The entry of one data-parallel worker that `aunce train --nproc_per_node N` starts: the same
 * CLI, with the rank in torchrun's environment variables (RANK, WORLD_SIZE, ...).
 */
import { run } from "./main.ts";

process.exitCode = await run(["node", "aunce", ...process.argv.slice(2)]);
