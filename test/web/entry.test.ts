/**
 * The browser entry (`aunce/web`, src/web/index.ts) bundles for the browser without the engine:
 * no native binding, tensor or Node built-in module reaches it, and package.json exports it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "esbuild";
import { root } from "../../scripts/web/build.ts";

test("src/web bundles for the browser with none of the engine's modules", async () => {
  const r = await build({
    entryPoints: [join(root, "src", "web", "index.ts")],
    bundle: true, write: false, metafile: true, format: "esm", platform: "browser",
    conditions: ["onnxruntime-web-use-extern-wasm"], logLevel: "silent",
  });
  const inputs = Object.keys(r.metafile.inputs).filter((p) => p.startsWith("src/"));
  for (const f of ["yunet-decode", "landmark-crop", "landmark-input", "similarity", "warp", "follow"]) assert.ok(inputs.includes(`src/face/geometry/${f}.ts`), `${f}: ${inputs.join(", ")}`);
  // src/api/shared.ts is the API's engine-free part (option checks, result shape)
  const engine = inputs.filter((p) => (/^src\/(native|tensor|nn|models|api|cli)\//.test(p) && p !== "src/api/shared.ts") || /^src\/face\/[^/]+\.ts$/.test(p));
  assert.deepEqual(engine, [], "engine-side modules in the browser bundle");
  assert.ok(!Object.keys(r.metafile.inputs).some((p) => p.startsWith("node:")));
});

test("package.json exports ./web with its types", () => {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.deepEqual(pkg.exports["./web"], { types: "./dist/web/index.d.ts", default: "./dist/web/index.js" });
  assert.equal(pkg.scripts.web, "node --import tsx scripts/web/serve.ts");
});
