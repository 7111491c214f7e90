// The addon carries the engine it was built against (engine.json from scripts/setup.mjs): doctor
// names it, and an engine whose libtorch changed since the build is refused at load with the fix.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { engineMismatch, headerVersion, loadedAddonPath, readEngineRecord, type EngineRecord } from "../../src/native/load.ts";
import { engineRecord, torchVersion } from "../../src/tensor/index.ts";
import { makeTempDir } from "../helpers/tmp.ts";

function fakeLibtorch(root: string, version: [number, number, number]): string {
  const dir = join(root, "torch");
  mkdirSync(join(dir, "include", "torch", "headeronly"), { recursive: true });
  writeFileSync(join(dir, "include", "torch", "headeronly", "version.h"),
    `#define TORCH_VERSION_MAJOR ${version[0]}\n#define TORCH_VERSION_MINOR ${version[1]}\n#define TORCH_VERSION_PATCH ${version[2]}\n`);
  return dir;
}

test("the loaded addon's record names the libtorch it runs on", () => {
  const rec = engineRecord();
  assert.ok(rec, "no engine.json beside the addon (built without scripts/setup.mjs?)");
  assert.equal(rec.version.split(".").slice(0, 2).join("."), torchVersion().split(".").slice(0, 2).join("."));
  assert.equal(engineMismatch(rec), null);
});

test("headerVersion reads 2.x and 1.x headers; engineMismatch names a changed or vanished engine", () => {
  const root = makeTempDir("aunce-engine-");
  const dir = fakeLibtorch(root, [2, 14, 1]);
  assert.equal(headerVersion(dir), "2.14.1");
  const old = join(root, "old");
  mkdirSync(join(old, "include", "torch", "csrc", "api", "include", "torch"), { recursive: true });
  writeFileSync(join(old, "include", "torch", "csrc", "api", "include", "torch", "version.h"), "#define TORCH_VERSION_MAJOR 1\n#define TORCH_VERSION_MINOR 13\n#define TORCH_VERSION_PATCH 0\n");
  assert.equal(headerVersion(old), "1.13.0");
  const rec: EngineRecord = { kind: "python", dir, origin: "python3's torch 2.13.0", version: "2.13.0", cuda: false };
  assert.match(engineMismatch(rec)!, /built against libtorch 2\.13\.0 \(python3's torch 2\.13\.0\), which is now 2\.14\.1/);
  assert.match(engineMismatch({ ...rec, dir: join(root, "gone") })!, /no longer there/);
  assert.equal(engineMismatch({ ...rec, version: "2.14.1" }), null);
});

test("an addon whose engine changed since the build is refused at load, with the command that fixes it", () => {
  const root = makeTempDir("aunce-engine-");
  const dir = fakeLibtorch(root, [9, 9, 9]);
  const addonDir = join(root, "build");
  mkdirSync(addonDir);
  copyFileSync(loadedAddonPath()!, join(addonDir, "aunce.node"));
  const rec = { ...readEngineRecord(loadedAddonPath()!), dir };
  writeFileSync(join(addonDir, "engine.json"), JSON.stringify(rec));
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", "(await import('./src/tensor/index.ts')).torchVersion()"], {
    encoding: "utf8", env: { ...process.env, AUNCE_NATIVE: join(addonDir, "aunce.node") },
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /does not match its engine: it was built against libtorch [\d.]+ .*which is now 9\.9\.9\. Rebuild it with `npm run setup`/);
});
