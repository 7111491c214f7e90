#!/usr/bin/env node
// npm's prepack step (`npm pack`, `npm publish`): compiles src/ to dist/ (JavaScript and type
// declarations, tsconfig.build.json) and, when package.json has a `build:web` script, the browser
// build into dist/web/. The tarball then holds what runs (package.json "files").
//
// The build is incremental and in place (a running CLI or test keeps working), so two things are
// checked after it: outputs whose source is gone are removed (they would ship otherwise), and an
// output that is missing although its source is there — deleted by hand; tsc's incremental state
// does not notice — makes a full rebuild.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const src = join(root, "src");
const log = (m) => console.error(`[prepack] ${m}`);

function run(cmd, args) {
  // stdout to stderr: `npm pack --json` prints its JSON on stdout.
  const r = spawnSync(cmd, args, { cwd: root, stdio: ["inherit", 2, 2] });
  if (r.status !== 0) {
    console.error(`[prepack] ${[cmd, ...args].join(" ")} failed`);
    process.exit(r.status ?? 1);
  }
}
function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}
const tsc = () => run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);

/** The source a dist/ output was compiled from (dist/a/b.js, .d.ts, .js.map -> src/a/b.ts). */
const sourceOf = (out) => join(src, relative(dist, out).replace(/(\.d)?\.ts\.map$|\.js\.map$|\.d\.ts$|\.js$/, ".ts"));
const isTsOutput = (p) => /\.(js|d\.ts|js\.map|d\.ts\.map)$/.test(p) && !relative(dist, p).startsWith("web/");

tsc();
const sources = files(src).filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"));
const missing = sources.filter((s) => ["js", "d.ts"].some((ext) => !existsSync(join(dist, relative(src, s)).replace(/\.ts$/, `.${ext}`))));
if (missing.length) {
  log(`${missing.length} compiled file(s) missing from dist/ (e.g. ${relative(root, missing[0])}): full rebuild`);
  rmSync(join(dist, ".tsbuildinfo"), { force: true });
  tsc();
}
const stale = files(dist).filter((p) => isTsOutput(p) && !existsSync(sourceOf(p)));
for (const p of stale) rmSync(p);
if (stale.length) log(`removed ${stale.length} compiled file(s) whose source is gone`);

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
if (pkg.scripts?.["build:web"]) run("npm", ["run", "build:web"]);
log("dist/ is ready");
