/**
 * The URL to start a worker thread on for a sibling module `name` (without extension) of
 * `base` (the caller's import.meta.url). From dist/ it is the compiled `.js` itself. From the
 * TypeScript sources (tests, `node --import tsx`), Node 20 does not run the parent's `--import tsx`
 * in worker threads, so a one-line ESM bootstrap registers tsx's loader before importing the `.ts`.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

export function workerEntry(base: string, name: string): URL {
  const ext = extname(fileURLToPath(base));
  const script = new URL(`./${name}${ext}`, base);
  if (ext !== ".ts") return script;
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(script.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
