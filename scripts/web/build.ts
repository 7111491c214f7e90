// Bundles the browser code with esbuild into ESM files for scripts/web/serve.ts: the page
// (web/app.ts -> app.js) and the library alone (src/web/index.ts -> aunce-web.js, `aunce/web` as
// one file for pages without a bundler). onnxruntime-web is bundled in
// its "extern wasm" form: its .wasm and worker .mjs files are served from /ort/ (the page's own
// origin), not inlined, so the bundle stays small and nothing is fetched from elsewhere.
import { build, type BuildOptions } from "esbuild";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root: string = fileURLToPath(new URL("../..", import.meta.url));

/** esbuild settings both builds share: one browser ESM bundle, onnxruntime-web's wasm files loaded from URLs. */
const BROWSER_BUNDLE = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["chrome120", "firefox121", "safari17"],
  conditions: ["onnxruntime-web-use-extern-wasm"],
  minify: true,
  logLevel: "warning",
} as const satisfies BuildOptions;

/** Builds app.js and aunce-web.js into `outDir` (ESM, minified, with source maps); returns the app's path. */
export async function buildPage(outDir: string = join(root, "web", ".build")): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(root, "web", "app.ts"), "aunce-web": join(root, "src", "web", "index.ts") },
    outdir: outDir,
    ...BROWSER_BUNDLE,
    sourcemap: true,
  });
  return join(outDir, "app.js");
}

/**
 * Builds the library alone as `outDir`/aunce-web.js: `aunce/web` as one self-contained ESM file
 * (onnxruntime-web inside; its wasm files still load from `wasmPaths`). Returns the path.
 */
export async function buildLibrary(outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, "aunce-web.js");
  await build({
    entryPoints: [join(root, "src", "web", "index.ts")],
    outfile,
    ...BROWSER_BUNDLE,
  });
  return outfile;
}

// CLI: `build.ts [outDir]` builds the page (default web/.build); `build.ts --lib DIR` the library file.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const a = process.argv.slice(2);
  const out = a[0] === "--lib" ? await buildLibrary(a[1] ?? join(root, "dist", "web")) : await buildPage(a[0]);
  console.log(`built ${out}`);
}
