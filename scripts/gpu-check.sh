#!/usr/bin/env bash
# One command on a GPU machine (docs/gpu.md): facts, the native addon built against that machine's
# python3 torch, the CUDA tests, `aunce doctor`, an NCCL smoke test (scripts/nccl-smoke.ts), the GPU
# benchmark (bench/gpu.ts), a summary.
# Everything lands under $OUT when set (else runs/gpu-check/). Run from the repository root:
#   bash scripts/gpu-check.sh        (or npm run gpu-check where npm exists)
# Each phase runs under `timeout`, capped by what is left of GPU_CHECK_BUDGET_S (default 480 s).
# Without Node on the machine, the carry from scripts/gpu-pack.sh (.gpu/) supplies Node, the
# pruned node_modules and dist/.
# Knobs (the CPU rehearsal uses them): GPU_CHECK_SKIP_BUILD=1 keeps the built addon;
# GPU_CHECK_USE_CARRY=1 uses the carried Node even where one is installed;
# GPU_CHECK_DEVICE (default cuda:0); GPU_CHECK_BENCH_ARGS (extra bench/gpu.ts options);
# GPU_CHECK_PYTHON (default python3: the engine and the PyTorch peer); GPU_CHECK_BUDGET_S;
# GPU_CHECK_TIME_SCALE multiplies each phase's cap (a slow rehearsal machine).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start=$(date +%s)
budget=${GPU_CHECK_BUDGET_S:-480}
out=${OUT:-$root/runs/gpu-check}
mkdir -p "$out"
py=${GPU_CHECK_PYTHON:-python3}
device=${GPU_CHECK_DEVICE:-cuda:0}
summary="$out/summary.txt"
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
left() { echo $((budget - ($(date +%s) - start))); }
# Runs a phase with at most $1 seconds (less when the budget is nearly spent); logs to $2.
phase() {
  local max=$1 log=$2
  shift 2
  local t
  max=$((max * ${GPU_CHECK_TIME_SCALE:-1}))
  t=$(left)
  [ "$t" -gt "$max" ] && t=$max
  if [ "$t" -lt 5 ]; then
    echo "no time left in the ${budget} s budget" > "$log"
    return 124
  fi
  timeout --kill-after=10 "$t" "$@" > "$log" 2>&1
}
version() { command -v "$1" > /dev/null 2>&1 && { "$@" 2>&1 | head -1; } || echo missing; }

# ---- 1. facts ----------------------------------------------------------------------------------
{
  echo "# gpu-check $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "node:   $(version node --version)"
  echo "npm:    $(version npm --version)"
  echo "g++:    $(version g++ --version)"
  echo "nvcc:   $(command -v nvcc > /dev/null && nvcc --version | grep -i release || echo missing)"
  echo "cmake:  $(version cmake --version)"
  echo "python: $(version "$py" --version)"
  echo "torch:  $(timeout 60 "$py" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())' 2>/dev/null || echo missing)"
  echo "gpus:   $(command -v nvidia-smi > /dev/null && nvidia-smi -L 2>&1 | paste -sd';' || echo "no nvidia-smi")"
} | tee "$out/facts.txt"
cat "$out/facts.txt" > "$summary"

# ---- 2. the carry (when Node, node_modules or dist/ is missing) ---------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || [ "${GPU_CHECK_USE_CARRY:-0}" = 1 ]; then # missing, or older than package.json's engines (>= 20.9)
  if [ -f .gpu/node.tar.xz ]; then
    tar -C .gpu -xJf .gpu/node.tar.xz && export PATH="$root/.gpu/node/bin:$PATH"
    say "carry:  node $(node --version) from .gpu/node.tar.xz"
  else
    say "carry:  FAIL no Node >= 20 here and no .gpu/node.tar.xz (run scripts/gpu-pack.sh and carry .gpu)"
    exit 1
  fi
fi
for part in node_modules dist; do
  if [ ! -e "$part" ] && [ -f ".gpu/$part.tar.xz" ]; then
    tar -xJf ".gpu/$part.tar.xz" && say "carry:  $part from .gpu/$part.tar.xz"
  fi
done
[ -d node_modules/tsx ] || { say "carry:  FAIL node_modules (with tsx) missing: run scripts/gpu-pack.sh and carry .gpu"; exit 1; }

# ---- 3. the native addon against python3's torch ------------------------------------------------
build=skipped
if [ "${GPU_CHECK_SKIP_BUILD:-0}" != 1 ]; then
  t0=$(date +%s)
  if PYTHON="$py" AUNCE_ENGINE=python phase 330 "$out/build.log" node scripts/setup.mjs --native-only; then build="ok in $(($(date +%s) - t0)) s"
  else build="FAIL (rc $?, after $(($(date +%s) - t0)) s; see build.log)"; fi
  tail -3 "$out/build.log"
fi
say "build:  $build"

# ---- 4. CUDA tests and aunce doctor -------------------------------------------------------------
phase 150 "$out/tests.log" node --import tsx --test --test-reporter=spec test/cuda/cuda.test.ts test/tensor/autocast.test.ts test/nn/grad-scaler.test.ts
tests_rc=$?
count() { grep -E "^ℹ $1 [0-9]+" "$out/tests.log" | tail -1 | awk '{print $3}'; }
# A skipped suite (the CUDA tests without a GPU) is one "﹣" line, not counted in "ℹ skipped".
say "tests:  rc $tests_rc: pass $(count pass) fail $(count fail), skipped: $(grep -c '﹣' "$out/tests.log") tests or suites"
grep -E "# SKIP|﹣" "$out/tests.log" | sed -E 's/^ +//' | sort | uniq -c | head -5 | sed 's/^/        /' | tee -a "$summary"
phase 60 "$out/doctor.txt" node bin/aunce.mjs doctor
doctor_rc=$?
say "doctor: rc $doctor_rc: $(grep -iE 'libtorch|cuda' "$out/doctor.txt" | head -4 | tr -s ' ' | paste -sd';')"

# ---- 4b. NCCL smoke test: one process per GPU, c10d NCCL group (docs/distributed.md) ----------
phase 90 "$out/nccl.log" node --import tsx scripts/nccl-smoke.ts
nccl_rc=$?
say "nccl:   rc $nccl_rc: $(grep -E '^nccl:|Error' "$out/nccl.log" | head -2 | paste -sd';')"

# ---- 5. the GPU benchmark -----------------------------------------------------------------------
# shellcheck disable=SC2086  # GPU_CHECK_BENCH_ARGS is a list of options
phase 240 "$out/bench.log" node --import tsx bench/gpu.ts --device "$device" --python "$py" --json "$out/gpu-bench.json" ${GPU_CHECK_BENCH_ARGS:-}
bench_rc=$?
say "bench:  rc $bench_rc (bench.log, gpu-bench.json)"
sed -n '/^precision/,$p' "$out/bench.log" | tee -a "$summary"
[ "$bench_rc" = 0 ] || tail -5 "$out/bench.log" | tee -a "$summary"

say "total:  $(($(date +%s) - start)) s of the ${budget} s budget; files under $out"
[ "$tests_rc" = 0 ] && [ "$doctor_rc" = 0 ] && [ "$bench_rc" = 0 ] && [[ "$build" != FAIL* ]]
