#!/usr/bin/env node
// The `aunce` command. Runs the compiled CLI (dist/, built by `npm run setup` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(main)) {
  console.error("aunce: the compiled CLI is missing (dist/cli/main.js). Run `npm run setup` in the package folder first.");
  process.exit(1);
}
const { run } = await import(main);
process.exitCode = await run(process.argv);
