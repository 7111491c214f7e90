#!/usr/bin/env node
// `npm test`: type-check the whole tree (strict), lint, then run every test/**/*.test.ts with
// node's own test runner (its summary is what CI reads). `--no-checks` skips tsc and eslint;
// extra arguments are test files or folders to run instead of all.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const checks = !args.includes("--no-checks");
const targets = args.filter((a) => !a.startsWith("--"));

function run(cmd, cmdArgs) {
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

const bin = (name) => join(root, "node_modules", ".bin", name);
if (checks) {
  console.log("# tsc --noEmit (strict)");
  run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  console.log("# eslint");
  run(bin("eslint"), ["."]);
}
const files = (targets.length ? targets : ["test"]).flatMap((t) =>
  statSync(join(root, t)).isDirectory() ? findTests(join(root, t)) : [t],
);
run(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...files]);
