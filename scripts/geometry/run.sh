#!/usr/bin/env bash
# The landmark-geometry study of docs/realface.md end to end, with the bundled image model of the
# checkout: SynthAU photo-domain data (the data of scripts/train-photo-model.sh, reused when it is
# there), the inference path on fold 1 (extract.ts), the geometry models for seeds 1-3 (study.ts),
# the real-face check with each geometry model alone and fused (bench/realface.ts), and the packed
# optional model, its README, docs/results/geometry.json and the docs section (make-model.ts).
# Each step is skipped when its output exists; delete OUT to redo them. 12 min on 2 cores (2026-12-03,
# data generation 2 min, extract.ts 6 min, the three seeds and the real-face check 4 min).
# Usage: scripts/geometry/run.sh [OUT]   (default experiments/geometry; DATA=experiments/photo-model)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-experiments/geometry}
DATA=${DATA:-experiments/photo-model}
A="node bin/aunce.mjs"
T="node --import tsx"
[ -f "$DATA/synth-photo/synth.json" ] || $A synth --style bp4d --subjects 41 --sequences 8 --frames 40 --size 112 --domain photo --out "$DATA/synth-photo" --seed 21 --force
[ -f "$DATA/prepared-photo/summary.json" ] || $A prepare bp4d --root "$DATA/synth-photo" --out "$DATA/prepared-photo"
mkdir -p "$OUT"
[ -f "$OUT/fold1-frames.json" ] || $T scripts/geometry/extract.ts --prepared "$DATA/prepared-photo" --fold 1 --out "$OUT/fold1-frames.json"
for S in 1 2 3; do
  D="$OUT/fold1-study$([ "$S" = 1 ] || echo "-seed$S")"
  [ -f "$D/study.json" ] || $T scripts/geometry/study.ts --frames "$OUT/fold1-frames.json" --out "$D" --seed "$S"
done
G="$OUT/fold1-study"
[ -f "$OUT/realface.json" ] || $T bench/realface.ts --geometry "$G/geometry-logistic.json" --geometry "$G/geometry-logistic-stack.json" --geometry "$G/geometry-mlp.json" --json "$OUT/realface.json"
$T scripts/geometry/make-model.ts --study "$G" --realface "$OUT/realface.json" --other-seeds "$OUT/fold1-study-seed2,$OUT/fold1-study-seed3"
