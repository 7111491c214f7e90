// The benchmark's PyTorch peer must run the libtorch the addon was built against: these check
// how scripts/peer-python.ts picks it from an engine record (no pip, no torch needed).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { peerFor, runPeer, torchvisionFor, type Peer } from "../../scripts/peer-python.ts";
import type { EngineRecord } from "../../src/native/load.ts";

const tmp = mkdtempSync(join(tmpdir(), "aunce-peer-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = () => {};
const rec = (over: Partial<EngineRecord>): EngineRecord => ({ kind: "local", dir: null, origin: "test engine", version: "2.13.0", cuda: false, ...over });

/** A fake wheel folder: <name>/torch/__init__.py and an extension module for CPython `tag`. */
function wheelDir(name: string, tag: string): string {
  const torch = join(tmp, name, "torch");
  mkdirSync(torch, { recursive: true });
  writeFileSync(join(torch, "__init__.py"), "");
  writeFileSync(join(torch, `_C.cpython-${tag}-x86_64-linux-gnu.so`), "");
  return torch;
}
const py = spawnSync("python3", ["-c", "import sys; print(f'{sys.version_info[0]}{sys.version_info[1]}')"], { encoding: "utf8" });
const pyTag = py.status === 0 ? py.stdout.trim() : null;

test("torchvision pairs with torch 2.N as 0.(N+15); none for 1.x", () => {
  assert.equal(torchvisionFor("2.13.0"), "0.28.0");
  assert.equal(torchvisionFor("2.0.1"), "0.15.0");
  assert.equal(torchvisionFor("1.13.0"), null);
});

test("Debian's engine is peered with /usr/bin/python3 and no PYTHONPATH", () => {
  const p = peerFor(rec({ kind: "debian", dir: null, version: "1.13.0" }), quiet);
  if (!existsSync("/usr/bin/python3")) return assert.match(p.error ?? "", /\/usr\/bin\/python3/);
  assert.equal(p.error, undefined);
  assert.deepEqual("python" in p && [p.python, p.env], ["/usr/bin/python3", {}]);
});

test("no record, or a libtorch that is not a wheel's torch/ folder: no peer, with the reason", () => {
  assert.match(peerFor(null, quiet).error ?? "", /no engine\.json/);
  const plain = join(tmp, "libtorch");
  mkdirSync(plain, { recursive: true });
  assert.match(peerFor(rec({ kind: "dir", dir: plain }), quiet).error ?? "", /not a PyTorch wheel's torch\/ folder/);
});

test("a wheel built for another CPython is refused (not run on the wrong interpreter)", () => {
  const p = peerFor(rec({ dir: wheelDir("cp27", "27") }), quiet);
  assert.match(p.error ?? "", pyTag ? /built for CPython 27/ : /does not run/);
});

test("the user's own python3 torch is its own peer (no PYTHONPATH added)", { skip: pyTag === null && "no python3" }, () => {
  const p = peerFor(rec({ kind: "python", dir: wheelDir("own", pyTag!) }), quiet);
  assert.equal(p.error, undefined);
  assert.deepEqual("env" in p && p.env, {});
});

test("runPeer passes the peer's environment and reads its last JSON line; failures become one-line errors", () => {
  const script = join(tmp, "peer.mjs");
  writeFileSync(script, "console.log('noise'); console.log(JSON.stringify({ path: process.env.PYTHONPATH, args: process.argv.slice(2) }));");
  const peer: Peer = { python: process.execPath, env: { PYTHONPATH: "/a:/b" }, torch: "2.13.0", origin: "test" };
  assert.deepEqual(runPeer(peer, script, [2, "x"]), { path: "/a:/b", args: ["2", "x"] });
  const bad = join(tmp, "bad.mjs");
  writeFileSync(bad, "console.error('first'); console.error('RuntimeError: boom'); process.exit(3);");
  assert.deepEqual(runPeer(peer, bad, []), { error: "RuntimeError: boom" });
  assert.deepEqual(runPeer({ error: "none here" }, script, []), { error: "none here" });
});

test("a wheel engine's peer puts the folder above torch/ first on PYTHONPATH, then its own packages", { skip: pyTag === null && "no python3" }, () => {
  const torch = wheelDir("wheel", pyTag!);
  const sites = join(tmp, "sites");
  mkdirSync(join(sites, "peer-py-2.13.0-tv0.28.0", "torchvision"), { recursive: true });
  writeFileSync(join(sites, "peer-py-2.13.0-tv0.28.0", "torchvision", "__init__.py"), ""); // installed: no pip run
  const p = peerFor(rec({ dir: torch }), quiet, sites);
  assert.equal(p.error, undefined);
  assert.equal("env" in p && p.env.PYTHONPATH, `${join(tmp, "wheel")}:${join(sites, "peer-py-2.13.0-tv0.28.0")}`);
});
