#!/usr/bin/env node
// npm's install step (package.json "install") of the installed aunce package: builds the native
// addon against the engine scripts/engine.mjs picks (LIBTORCH_DIR, AUNCE_ENGINE, the torch of
// python3, PyTorch's CPU wheel unpacked into the user cache, an installed Debian libtorch-dev) or
// copies a finished build of it from the user cache, and says what it found.
//
// It never installs system packages, and when there is no engine it leaves the package installed
// and says what to run: `npx aunce setup` does the rest (with apt for Debian's libtorch when root),
// and every first use of an unbuilt package says so too (src/native/load.ts). npm hides a
// successful install script's output, so the same lines go to native/build/install.log, which
// `aunce doctor` shows.
//
// In a clone of the repository `npm ci` runs this too; there scripts/setup.mjs does the set-up.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAddon } from "./addon-build.mjs";
import { cacheRoot, debianEngine, isCheckout, pickEngine } from "./engine.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
if (isCheckout(root)) {
  console.log("[aunce] a clone of the repository: `npm run setup` builds the native addon");
  process.exit(0);
}
const logFile = join(root, "native", "build", "install.log");
const said = [];
// Rewritten whole on every line: node-gyp's rebuild empties native/build/ while compiling.
const log = (msg) => {
  console.log(`[aunce] ${msg}`);
  said.push(msg);
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `${said.join("\n")}\n`);
};
const AFTER = "Run `npx aunce setup` in your app once that is fixed; `npx aunce doctor` shows what the addon is built against.";

let engine;
try {
  engine = pickEngine(root, { log, debian: debianEngine });
} catch (err) {
  log(`the native addon is not built: ${err instanceof Error ? err.message : String(err)}`);
  log(`Set LIBTORCH_DIR to a libtorch folder (CPU or CUDA), install PyTorch in python3, or let \`npx aunce setup\` unpack PyTorch's CPU wheel into ${join(cacheRoot(), "engines")} (or install Debian's libtorch-dev with apt when root).`);
  log(AFTER);
  process.exit(0);
}
log(`engine: libtorch ${engine.version}${engine.cuda ? " (CUDA)" : " (CPU)"} from ${engine.origin}`);
try {
  const r = ensureAddon(root, engine, { log });
  if (r.state === "cached") log(`native addon: copied the finished build for this engine from ${r.from}`);
  else if (r.state === "compiled") log(`native addon: built, and kept in ${join(cacheRoot(), "builds", r.key)} for the next install`);
  else log("native addon: already built for this engine");
} catch (err) {
  log(`the native addon could not be built: ${err instanceof Error ? err.message : String(err)}`);
  log(AFTER);
  // A compiler error with an engine present is a real failure: npm shows this output when the
  // script fails, and nothing of aunce would work without the addon.
  process.exit(1);
}
