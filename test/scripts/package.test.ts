// `npm install aunce` as an app gets it: `npm pack` of this repository, the tarball installed
// offline into a new temporary app, then the CLI (`doctor`, `detect` on a photo) and the library
// (`createAuDetector().detect()`, type-checked by tsc in that app) used from there.
//
// npm runs no install script first (as when npm 11 holds back an unapproved one, or with
// --ignore-scripts): the package must explain itself and `npx aunce setup` must make it work. Then
// the install script itself runs, after `npm install-scripts approve aunce`. Neither compiles:
// aunce's user cache (AUNCE_CACHE_DIR) is a temporary folder pre-seeded with this repository's own
// build, which the installed package finds under the same key (same engine, sources and Node), and
// AUNCE_NO_COMPILE=1 turns a cache miss into a failure instead of minutes of compiling. (The compile
// path is scripts/addon-build.mjs's, which the repository's set-up runs.)
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cacheRoot } from "../../src/native/load.ts";
import { makeTempDir } from "../helpers/tmp.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const release = join(root, "native", "build", "Release");
const photo = join(root, "test", "fixtures", "face", "group.jpg");
const { buildKey, sourcesHash } = (await import(pathToFileURL(join(root, "scripts", "addon-build.mjs")).href)) as {
  buildKey(engine: unknown, sources: string): string;
  sourcesHash(nativeDir: string): string;
};

interface PackResult { filename: string; size: number; unpackedSize: number; files: { path: string }[] }
interface EngineRecord { kind: string; dir: string | null; version: string; buildKey?: string }

/** The environment the app's commands run in: the user's, minus npm's script variables and aunce's own settings. */
function appEnv(cache: string, xdg: string): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig", "npm_config_registry"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.toLowerCase().startsWith("npm_") && !keep.has(k.toLowerCase())) continue;
    if (k.startsWith("AUNCE_") || k === "LIBTORCH_DIR" || k === "NODE_TEST_CONTEXT" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return { ...env, AUNCE_CACHE_DIR: cache, XDG_CACHE_HOME: xdg, AUNCE_NO_COMPILE: "1" };
}

/**
 * A package.json and package-lock.json for an app that depends on the tarball: the lock lists the
 * repository's own resolved production dependencies, so `npm ci --offline` takes every one of them
 * from npm's cache (filled by the repository's `npm ci`) without asking the registry.
 */
function writeApp(app: string, tarball: string): void {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    "": { name: "aunce-app", version: "1.0.0", dependencies: { aunce: spec } },
    "node_modules/aunce": {
      version: pkg.version, resolved: spec, license: pkg.license, hasInstallScript: true,
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines, os: pkg.os,
    },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k.startsWith("node_modules/") && !v.dev) packages[k] = v;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "aunce-app", version: "1.0.0", private: true, type: "module", dependencies: { aunce: spec } }, null, 2));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify({ name: "aunce-app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2));
}

/** The entries of the user's real aunce cache (to check the test leaves it as it was). */
function realCacheEntries(): string[] {
  const c = cacheRoot();
  return ["builds", "engines"].flatMap((d) => (existsSync(join(c, d)) ? readdirSync(join(c, d)).map((n) => `${d}/${n}`) : []));
}

test("npm pack -> offline install into a new app -> CLI and library work; an install without scripts explains itself", { timeout: 600_000 }, () => {
  const rec = JSON.parse(readFileSync(join(release, "engine.json"), "utf8")) as EngineRecord;
  const key = buildKey(rec, sourcesHash(join(root, "native")));
  assert.equal(rec.buildKey, key, "the repository's addon is not the current build for its sources: run `npm run setup`");
  const realBefore = realCacheEntries();

  const work = makeTempDir("aunce-pack-");
  const cache = join(work, "cache");
  const app = join(work, "app");
  mkdirSync(app);
  const env = appEnv(cache, join(work, "xdg"));
  const sh = (cmd: string, args: string[], opts: SpawnSyncOptions = {}) => {
    const r = spawnSync(cmd, args, { cwd: app, env, encoding: "utf8", ...opts });
    return { code: r.status, out: String(r.stdout), err: String(r.stderr), all: `${String(r.stdout)}\n${String(r.stderr)}` };
  };
  const aunce = (...args: string[]) => sh("npx", ["--offline", "--no", "aunce", ...args]);

  // The tarball: what runs, nothing of the development tree.
  const packed = sh("npm", ["pack", "--json", "--pack-destination", work], { cwd: root });
  assert.equal(packed.code, 0, packed.all);
  const info = (JSON.parse(packed.out) as PackResult[])[0];
  const files = info.files.map((f) => f.path);
  for (const want of ["package.json", "README.md", "LICENSE", "bin/aunce.mjs", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js",
    "dist/native/load.js", "native/binding.gyp", "native/libtorch.cjs", "native/src/addon.cc", "native/gloo-shim/gloo/context.h", "scripts/install.mjs", "scripts/setup.mjs",
    "scripts/engine.mjs", "scripts/addon-build.mjs", "assets/face-api/LICENSE", "assets/facekit/LICENSE", "assets/yunet/LICENSE",
    "assets/models/README.md", "configs/bp4d.yaml"]) {
    assert.ok(files.includes(want), `the tarball lacks ${want}`);
  }
  const unwanted = files.filter((f) => /^(test|bench|fuzz|src|\.ci|docs\/results|scripts\/fixtures)\//.test(f) ||
    /^(eslint\.config\.js|tsconfig.*\.json|package-lock\.json|\.gitignore)$/.test(f) || /\.(map|tsbuildinfo)$/.test(f) || f.startsWith("native/build/"));
  assert.deepEqual(unwanted, [], "the tarball holds development files");
  const tarball = join(work, info.filename);

  // The cache the installed package looks in, seeded with this repository's build; the engine chosen
  // the way the repository's set-up chose it (a wheel engine sits in the cache's engines/ folder).
  mkdirSync(join(cache, "builds", key), { recursive: true });
  for (const f of ["aunce.node", "engine.json"]) copyFileSync(join(release, f), join(cache, "builds", key, f));
  if (rec.kind === "local") {
    mkdirSync(join(cache, "engines"));
    symlinkSync(dirname(rec.dir!), join(cache, "engines", basename(dirname(rec.dir!))));
    if (process.env.AUNCE_TORCH_SPEC) env.AUNCE_TORCH_SPEC = process.env.AUNCE_TORCH_SPEC;
    env.AUNCE_ENGINE = "local";
  } else if (rec.kind === "dir") env.LIBTORCH_DIR = rec.dir!;
  else env.AUNCE_ENGINE = rec.kind;

  // Installed without its install script: every first use says what to run.
  writeApp(app, tarball);
  const installed = sh("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"]);
  assert.equal(installed.code, 0, `offline install failed (npm's cache lacks a dependency? run \`npm ci\` in the repository): ${installed.all}`);
  const pkgDir = join(app, "node_modules", "aunce");
  assert.equal(existsSync(join(pkgDir, "native", "build")), false);
  const unbuilt = aunce("doctor");
  assert.equal(unbuilt.code, 1, unbuilt.all);
  assert.match(unbuilt.out, /the native addon is not built/);
  assert.match(unbuilt.out, /npm install-scripts approve aunce/);
  assert.match(unbuilt.out, /Run `npx aunce setup` in your app/);
  const lib = sh(process.execPath, ["--input-type=module", "-e", "const { createAuDetector } = await import('aunce'); await createAuDetector();"]);
  assert.notEqual(lib.code, 0);
  assert.match(lib.err, /aunce: the native addon is not built[^]*Run `npx aunce setup` in your app/);

  const setup = aunce("setup");
  assert.equal(setup.code, 0, setup.all);
  assert.match(setup.out, new RegExp(`native addon: reusing the build for this engine \\(${join(cache, "builds", key).replace(/[.+]/g, "\\$&")}\\)`));

  const doctor = aunce("doctor");
  assert.equal(doctor.code, 0, doctor.all);
  assert.match(doctor.out, new RegExp(`libtorch\\s+${rec.version.split(".").slice(0, 2).join("\\.")}`));
  assert.ok(doctor.out.includes(`addon          ${join(pkgDir, "native", "build", "Release", "aunce.node")} (built for Node ${process.version}`), doctor.out);

  const csv = join(app, "aus.csv");
  const detect = aunce("detect", photo, "-o", csv, "--no_progress");
  assert.equal(detect.code, 0, detect.all);
  const rows = readFileSync(csv, "utf8").trim().split("\n");
  assert.equal(rows.length, 1 + 4, "group.jpg has 4 faces");
  assert.match(rows[0], /^file,frame,timestamp,face_id,confidence,success,/);

  // The library, type-checked against the package's declarations (strict, library files checked too).
  writeFileSync(join(app, "main.ts"), [
    'import { createAuDetector, type AuDetectorOptions, type DetectedFace } from "aunce";',
    "const opts: AuDetectorOptions = { thresholds: { 12: 0.4 } };",
    "// @ts-expect-error minConfidence is a number: the declarations are typed, not any",
    'const wrong: AuDetectorOptions = { minConfidence: "high" };',
    "void wrong;",
    "const d = await createAuDetector(opts);",
    "const faces: DetectedFace[] = await d.detect(process.argv[2]);",
    "const present: string[] = faces[0].aus.filter((a) => a.present).map((a) => a.name);",
    "console.log(JSON.stringify({ faces: faces.length, aus: faces[0].aus.length, present: present.length, box: faces[0].box.width > 0 }));",
    "d.dispose();",
  ].join("\n"));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: false, outDir: "out",
      types: ["node"], typeRoots: [join(root, "node_modules", "@types")],
    },
    files: ["main.ts"],
  }));
  const tsc = sh(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", app]);
  assert.equal(tsc.code, 0, tsc.all);
  const used = sh(process.execPath, [join(app, "out", "main.js"), photo]);
  assert.equal(used.code, 0, used.all);
  const got = JSON.parse(used.out.trim().split("\n").pop()!) as { faces: number; aus: number; box: boolean };
  assert.equal(got.faces, 4);
  assert.equal(got.aus, 12, "the bundled model predicts BP4D's 12 AUs");
  assert.equal(got.box, true);

  // The install script, once the app approves it: it finds the same engine and copies the build.
  rmSync(join(pkgDir, "native", "build"), { recursive: true });
  const approved = sh("npm", ["install-scripts", "approve", "aunce"]);
  assert.equal(approved.code, 0, approved.all);
  const allow = (JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
  assert.ok(Object.entries(allow).some(([k, v]) => k.endsWith(info.filename) && v === true), JSON.stringify(allow));
  const rebuilt = sh("npm", ["rebuild", "aunce", "--foreground-scripts", "--offline"]);
  assert.equal(rebuilt.code, 0, rebuilt.all);
  assert.match(rebuilt.out, /\[aunce\] engine: libtorch [\d.]+ \((CPU|CUDA)\)/);
  assert.match(rebuilt.out, /\[aunce\] native addon: copied the finished build for this engine from /);
  assert.ok(existsSync(join(pkgDir, "native", "build", "Release", "aunce.node")));
  assert.match(readFileSync(join(pkgDir, "native", "build", "install.log"), "utf8"), /^engine: libtorch [^]*\nnative addon: copied the finished build/);

  assert.deepEqual(realCacheEntries(), realBefore, "the user's own aunce cache was touched");
});
