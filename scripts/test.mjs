#!/usr/bin/env node
// `npm test`: type-check the whole tree (strict), lint, then run every test/**/*.test.ts with
// node's own test runner (its summary is what CI reads, so it stays the last lines printed).
// `--no-checks` skips tsc and eslint; `--repeat N` runs the test phase N times in a row, stopping
// at the first failing run; other arguments are test files or folders to run instead of all.
// Each run gets a fresh, empty TMPDIR; a run that leaves anything in it fails, naming what was
// left, and the folder is removed either way.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));

function fail(message) {
  console.error(`scripts/test.mjs: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const o = { checks: true, repeat: 1, targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-checks") o.checks = false;
    else if (a === "--repeat" || a.startsWith("--repeat=")) {
      const v = a === "--repeat" ? argv[++i] : a.slice("--repeat=".length);
      if (v === undefined || !/^[1-9]\d*$/.test(v)) fail(`--repeat: expected a whole number >= 1, got ${v === undefined ? "nothing" : `'${v}'`}`);
      o.repeat = Number(v);
    } else if (a.startsWith("--")) fail(`unknown option ${a} (known: --no-checks, --repeat N)`);
    else o.targets.push(a);
  }
  return o;
}

function runSync(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out.sort();
}

const SUMMARY_START = /^ℹ tests \d+$/;

/**
 * Runs node's test runner with TMPDIR set to `tmp`, passing its output through as it comes except
 * the trailing summary (from "ℹ tests N" on), which is returned so it can be printed last.
 */
function runTests(files, tmp) {
  return new Promise((resolve) => {
    // tsx would keep its transform cache in the temp directory; in memory it leaves nothing there.
    const env = { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: "1" };
    const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files], { cwd: root, env, stdio: ["inherit", "pipe", "inherit"] });
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    let partial = "";
    let held = null;
    const line = (l) => {
      if (held === null && SUMMARY_START.test(stripVTControlCharacters(l))) held = [];
      if (held) held.push(l);
      else process.stdout.write(`${l}\n`);
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      lines.forEach(line);
    });
    child.on("error", (err) => {
      console.error(`scripts/test.mjs: cannot start the test runner: ${err.message}`);
    });
    child.on("close", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      if (partial) line(partial);
      resolve({ code: code ?? (signal ? 1 : 0), summary: held ?? [] });
    });
  });
}

/** What the tests left in `tmp`: its top-level entries. */
function leftovers(tmp) {
  try {
    return readdirSync(tmp).sort();
  } catch {
    return [];
  }
}

const opts = parseArgs(process.argv.slice(2));
const bin = (name) => join(root, "node_modules", ".bin", name);
if (opts.checks) {
  console.log("# tsc --noEmit (strict)");
  runSync(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  console.log("# eslint");
  runSync(bin("eslint"), ["."]);
}
const files = (opts.targets.length ? opts.targets : ["test"]).flatMap((t) => {
  let st;
  try {
    st = statSync(join(root, t));
  } catch {
    fail(`${t}: no such test file or folder`);
  }
  return st.isDirectory() ? findTests(join(root, t)) : [t];
});

let status = 0;
for (let run = 1; run <= opts.repeat && status === 0; run++) {
  if (opts.repeat > 1) console.log(`# test run ${run} of ${opts.repeat}`);
  const tmp = mkdtempSync(join(tmpdir(), "aunce-test-tmp-"));
  const result = await runTests(files, tmp);
  const left = leftovers(tmp);
  rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  status = result.code;
  if (left.length) {
    console.log(`# temp check: FAILED: the tests left ${left.length} entr${left.length === 1 ? "y" : "ies"} in the temp directory (make folders with makeTempDir from test/helpers/tmp.ts; product code must remove its own): ${left.join(", ")}`);
    status ||= 1;
  } else {
    console.log("# temp check: the tests left nothing in the temp directory");
  }
  for (const l of result.summary) process.stdout.write(`${l}\n`);
}
process.exit(status);
