// scripts/test.mjs: every run gets a fresh TMPDIR; anything left in it fails the run by name and is
// removed; the test runner's summary stays the last output; --repeat N stops at the first failing run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "../helpers/tmp.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const LEAKS = "test/fixtures/runner/leaks-a-folder.ts";
const CLEAN = "test/fixtures/runner/uses-make-temp-dir.ts";

/** Runs `node scripts/test.mjs --no-checks ...args` with its own temp directory `tmp`. */
function runner(tmp: string, args: string[], env: Record<string, string> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env, TMPDIR: tmp };
  delete e.NODE_TEST_CONTEXT; // else the nested test runner would report to this one, not print
  const r = spawnSync(process.execPath, ["scripts/test.mjs", "--no-checks", ...args], { cwd: root, env: e, encoding: "utf8" });
  return { code: r.status, out: r.stdout, lines: r.stdout.trimEnd().split("\n"), err: r.stderr };
}
const count = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).length;

test("a folder left in the temp directory fails a passing run, by name; the folder is removed and the summary stays last", () => {
  const tmp = makeTempDir("aunce-runner-");
  const r = runner(tmp, [LEAKS]);
  assert.equal(r.code, 1, r.out + r.err);
  const check = r.lines.findIndex((l) => l.startsWith("# temp check: FAILED"));
  assert.ok(check >= 0, r.out);
  assert.match(r.lines[check], /left 1 entry in the temp directory .*: aunce-planted-leak-\w{6}$/);
  assert.ok(r.lines.indexOf("ℹ tests 1") > check, "the summary comes after the check");
  assert.ok(r.lines.includes("ℹ pass 1"), "the test itself passed");
  assert.match(r.lines.at(-1)!, /^ℹ duration_ms [\d.]+$/);
  assert.deepEqual(readdirSync(tmp), [], "the run's temp directory, leftover included, is gone");
});

test("folders from makeTempDir are gone after the file's tests, also after a failure; --repeat N runs N times and stops at the first failure", () => {
  const tmp = makeTempDir("aunce-runner-");
  const ok = runner(tmp, ["--repeat", "2", CLEAN]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.equal(count(ok.lines, /^# test run [12] of 2$/), 2);
  assert.equal(count(ok.lines, /^ℹ tests \d+$/), 2);
  assert.equal(count(ok.lines, /^# temp check: the tests left nothing in the temp directory$/), 2);
  assert.match(ok.lines.at(-1)!, /^ℹ duration_ms [\d.]+$/);

  const bad = runner(tmp, ["--repeat=3", CLEAN], { AUNCE_FIXTURE_FAIL: "1" });
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.equal(count(bad.lines, /^# test run \d of 3$/), 1, "no second run after a failing one");
  assert.ok(bad.lines.includes("ℹ fail 1"), bad.out);
  assert.ok(bad.lines.includes("# temp check: the tests left nothing in the temp directory"), bad.out);
  assert.deepEqual(readdirSync(tmp), []);
});

test("bad arguments are one-line errors", () => {
  const tmp = makeTempDir("aunce-runner-");
  const r = runner(tmp, ["--repeat", "0"]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim(), "scripts/test.mjs: --repeat: expected a whole number >= 1, got '0'");
  assert.equal(r.out, "");
});
