#!/usr/bin/env node
/**
 * Makes Jazzer.js's native fuzzer load on this machine's glibc. @jazzer.js/fuzzer 4.x ships only a
 * prebuilt addon (no C++ sources on npm; 2.x builds from source but downloads a patched LLVM from
 * outside the npm registry), built against glibc 2.38 / GCC 13. On Debian 12 (glibc 2.36, GCC 12) it
 * fails with "version `GLIBC_2.38' not found". Only three symbols need the newer versions:
 * `__isoc23_strtol`, `__isoc23_strtoul` (C23 spellings of strtol/strtoul) and
 * `std::ios_base_library_init` (GCC 13's iostream initialiser). So, when (and only when) the addon
 * does not load, this script
 *   1. compiles a three-function shim (fuzz/jazzer-shim.cc) with g++ into node_modules/.cache,
 *   2. rewrites the addon's symbol-version tables so those three symbols are unversioned and their
 *      two version requirements are weak (the ELF fields only; the original is kept as *.orig),
 * and the fuzz runner starts Jazzer with LD_PRELOAD=<shim>. Exported for fuzz/run.ts; run directly
 * it prints the environment to use.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SHIMMED = new Set(["__isoc23_strtol", "__isoc23_strtoul", "_ZSt21ios_base_library_initv"]);

function addonPath() {
  const require = createRequire(join(root, "package.json"));
  const pkg = dirname(require.resolve("@jazzer.js/fuzzer/package.json"));
  return join(pkg, "prebuilds", `fuzzer-${process.platform}-${process.arch}.node`);
}

/**
 * Loads the addon in a child process with every symbol bound at load (LD_BIND_NOW; lazy binding
 * would only fail later, mid-run); returns null when it loads, else the error text.
 */
function tryLoad(env) {
  const r = spawnSync(process.execPath, ["-e", "require('@jazzer.js/fuzzer')"], { cwd: root, env: { ...process.env, ...env, LD_BIND_NOW: "1" }, encoding: "utf8" });
  return r.status === 0 ? null : (r.stderr.split("\n").find((l) => l.startsWith("Error:")) ?? r.stderr.trim());
}

/** Clears the version of the SHIMMED symbols in an ELF64 little-endian shared object and makes their version needs weak. */
export function patchElf(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) throw new Error("not a 64-bit little-endian ELF file");
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({ type: buf.readUInt32LE(at + 4), offset: Number(buf.readBigUInt64LE(at + 0x18)), size: Number(buf.readBigUInt64LE(at + 0x20)), link: buf.readUInt32LE(at + 0x28) });
  }
  const dynsym = sections.find((s) => s.type === 11);
  const versym = sections.find((s) => s.type === 0x6fffffff);
  const verneed = sections.find((s) => s.type === 0x6ffffffe);
  if (!dynsym || !versym || !verneed) throw new Error("no dynamic symbol version tables");
  const strtab = sections[dynsym.link].offset;
  const str = (off) => buf.toString("latin1", strtab + off, buf.indexOf(0, strtab + off));
  const indices = new Set();
  const users = new Map();
  for (let i = 0; i < dynsym.size / 24; i++) {
    const name = str(buf.readUInt32LE(dynsym.offset + i * 24));
    const v = buf.readUInt16LE(versym.offset + 2 * i) & 0x7fff;
    if (SHIMMED.has(name)) {
      if (v > 1) indices.add(v);
      buf.writeUInt16LE(1, versym.offset + 2 * i);
    } else users.set(v, name);
  }
  const weakened = [];
  let vn = verneed.offset;
  for (;;) {
    let aux = vn + buf.readUInt32LE(vn + 8);
    for (let k = 0; k < buf.readUInt16LE(vn + 2); k++) {
      const other = buf.readUInt16LE(aux + 6);
      if (indices.has(other)) {
        if (users.has(other)) throw new Error(`version ${str(buf.readUInt32LE(aux + 8))} is also needed by ${users.get(other)}`);
        buf.writeUInt16LE(buf.readUInt16LE(aux + 4) | 2, aux + 4); // VER_FLG_WEAK
        weakened.push(str(buf.readUInt32LE(aux + 8)));
      }
      aux += buf.readUInt32LE(aux + 12);
    }
    const next = buf.readUInt32LE(vn + 12);
    if (next === 0) break;
    vn += next;
  }
  return weakened;
}

/**
 * Returns the extra environment Jazzer.js needs here ({} when its addon loads as shipped), patching
 * and shimming as described above. Throws with the loader's error when that does not help.
 */
export function jazzerEnv() {
  const first = tryLoad({});
  if (first === null) return {};
  if (!/version `(GLIBC|GLIBCXX)_[\d.]+' not found|undefined symbol: (__isoc23_strtoul?|_ZSt21ios_base_library_initv)/.test(first)) throw new Error(`Jazzer.js native fuzzer does not load: ${first}`);
  const cache = join(root, "node_modules", ".cache", "aunce-jazzer");
  const shim = join(cache, "jazzer-shim.so");
  if (!existsSync(shim)) {
    mkdirSync(cache, { recursive: true });
    const cc = spawnSync("g++", ["-shared", "-fPIC", "-O2", "-o", shim, join(root, "fuzz", "jazzer-shim.cc")], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`Jazzer.js needs a glibc shim and g++ failed: ${cc.stderr || cc.error?.message}`);
  }
  const addon = addonPath();
  if (!existsSync(`${addon}.orig`)) {
    copyFileSync(addon, `${addon}.orig`);
    const buf = readFileSync(addon);
    patchElf(buf);
    writeFileSync(addon, buf);
  }
  const env = { LD_PRELOAD: [shim, process.env.LD_PRELOAD].filter(Boolean).join(":") };
  const again = tryLoad(env);
  if (again !== null) throw new Error(`Jazzer.js native fuzzer does not load even with the glibc shim: ${again} (first error: ${first})`);
  return env;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(jazzerEnv()));
