#!/usr/bin/env bash
# Prepares the carry for a borrowed GPU machine that may have no Node and reaches no registry:
# writes the ignored folder .gpu/ with
#   node.tar.xz          this machine's Node (bin/node stripped, include/node headers for node-gyp's
#                        --nodedir, npm's node-gyp with its dependencies), unpacked there as .gpu/node/
#   node_modules.tar.xz  only the packages gpu-check needs: the runtime dependencies and tsx,
#                        each with its own dependency closure (no typescript, eslint, @types)
#   dist.tar.xz          the compiled CLI (dist/) that `aunce doctor` runs
#   sizes.txt            the sizes, with the tracked tree's, against the 64 MiB working-tree limit
# Run from the repository root after `npm run build`:  bash scripts/gpu-pack.sh
# Then carry ".gpu" (one path) with the working tree; scripts/gpu-check.sh unpacks what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT_MIB=64
out=.gpu
[ -f dist/cli/main.js ] || { echo "gpu-pack: dist/ is missing; run npm run build first" >&2; exit 1; }
[ -d node_modules/tsx ] || { echo "gpu-pack: node_modules is missing; run npm ci first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
XZ="xz -T0 -6"

# 1. Node: the running binary, its headers and npm (node-gyp), laid out as a Node install so that
#    scripts/setup.mjs finds node-gyp and --nodedir beside process.execPath.
node_bin=$(node -p process.execPath)
prefix=$(dirname "$(dirname "$node_bin")")
[ -f "$prefix/include/node/node_api.h" ] || { echo "gpu-pack: no Node headers under $prefix/include/node" >&2; exit 1; }
npm_dir="$prefix/lib/node_modules/npm"
[ -f "$npm_dir/node_modules/node-gyp/bin/node-gyp.js" ] || { echo "gpu-pack: no node-gyp under $npm_dir" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/node/bin" "$stage/node/include" "$stage/node/lib/node_modules"
# Stripped: the symbol table (not the dynamic symbols addons link against) is ~12 MB of the binary.
if command -v strip > /dev/null; then strip -o "$stage/node/bin/node" "$node_bin"; else cp "$node_bin" "$stage/node/bin/node"; fi
cp -r "$prefix/include/node" "$stage/node/include/node"
# OpenSSL's per-platform config headers are most of the header folder; an N-API addon includes none.
find "$stage/node/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name linux-x86_64 -exec rm -rf {} + 2>/dev/null || true
# Of npm, only node-gyp and its dependency closure (resolved as Node resolves them), at npm's paths.
mkdir -p "$stage/node/lib/node_modules/npm/node_modules"
cp "$npm_dir/package.json" "$stage/node/lib/node_modules/npm/"
NPM_DIR="$npm_dir" node --input-type=module - <<'EOF2' | while read -r d; do mkdir -p "$stage/node/lib/node_modules/npm/$(dirname "$d")"; cp -r "$npm_dir/$d" "$stage/node/lib/node_modules/npm/$d"; done
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
const root = process.env.NPM_DIR;
const seen = new Set();
const resolvePkg = (from, name) => {
  for (let d = from; d.startsWith(root); d = dirname(d)) {
    const c = join(d, "node_modules", name);
    if (existsSync(join(c, "package.json"))) return c;
    if (d === root) break;
  }
  return null;
};
const walk = (dir) => {
  if (seen.has(dir)) return;
  seen.add(dir);
  const p = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const n of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) {
    const c = resolvePkg(dir, n);
    if (c) walk(c);
  }
};
walk(join(root, "node_modules", "node-gyp"));
// Outermost folders only (a nested package travels with its parent's copy).
const dirs = [...seen].map((d) => relative(root, d)).sort();
for (const d of dirs) if (!dirs.some((o) => o !== d && d.startsWith(o + "/"))) console.log(d);
EOF2
tar -C "$stage" -cf - node | $XZ > "$out/node.tar.xz"

# 2. node_modules: the closure of the runtime dependencies plus tsx (tests and bench run through it).
node --input-type=module - > "$stage/keep.txt" <<'EOF'
import { readFileSync, existsSync } from "node:fs";
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const want = [...Object.keys(pkg.dependencies ?? {}), "tsx"];
const keep = new Set();
while (want.length) {
  const name = want.pop();
  if (keep.has(name)) continue;
  const file = `node_modules/${name}/package.json`;
  if (!existsSync(file)) continue; // an optional dependency for another platform
  keep.add(name);
  const p = JSON.parse(readFileSync(file, "utf8"));
  want.push(...Object.keys({ ...p.dependencies, ...p.optionalDependencies }));
}
for (const k of [...keep].sort()) console.log(`node_modules/${k}`);
EOF
tar -cf - -T "$stage/keep.txt" | $XZ > "$out/node_modules.tar.xz"

# 3. The compiled CLI.
tar -cf - dist | $XZ > "$out/dist.tar.xz"

# 4. Sizes: the working tree that travels is the tracked files plus .gpu/.
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s}')
{
  printf '%-22s %8.1f MiB (%d packages)\n' node_modules.tar.xz "$(stat -c %s "$out/node_modules.tar.xz" | awk '{print $1/1048576}')" "$(wc -l < "$stage/keep.txt")"
  for f in node.tar.xz dist.tar.xz; do printf '%-22s %8.1f MiB\n' "$f" "$(stat -c %s "$out/$f" | awk '{print $1/1048576}')"; done
  carry=$(du -cb "$out"/*.tar.xz | tail -1 | cut -f1)
  printf '%-22s %8.1f MiB\n' ".gpu/ total" "$(awk -v b="$carry" 'BEGIN {print b/1048576}')"
  printf '%-22s %8.1f MiB\n' "tracked tree" "$(awk -v b="$tracked" 'BEGIN {print b/1048576}')"
  total=$((carry + tracked))
  printf '%-22s %8.1f MiB of %d MiB\n' "working tree total" "$(awk -v b="$total" 'BEGIN {print b/1048576}')" "$LIMIT_MIB"
  [ "$total" -lt $((LIMIT_MIB * 1048576)) ] && echo "fits" || echo "TOO LARGE"
} | tee "$out/sizes.txt"
grep -q '^fits$' "$out/sizes.txt"
