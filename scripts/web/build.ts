// Bundles the browser code with esbuild: the page (web/app.ts, which imports src/web) into one ESM
// file beside the page's other files, for scripts/web/serve.ts. onnxruntime-web is bundled in
// its "extern wasm" form: its .wasm and worker .mjs files are served from /ort/ (the page's own
// origin), not inlined, so the bundle stays small and nothing is fetched from elsewhere.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../..", import.meta.url));

/** Builds web/app.ts into `outDir`/app.js (ESM, minified, with a source map); returns the path. */
export async function buildPage(outDir: string = join(root, "web", ".build")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "app.js");
  await build({
    entryPoints: [join(root, "web", "app.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome120", "firefox121", "safari17"],
    conditions: ["onnxruntime-web-use-extern-wasm"],
    minify: true,
    sourcemap: true,
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildPage(process.argv[2]);
  console.log(`built ${out}`);
}
