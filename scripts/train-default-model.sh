#!/usr/bin/env bash
# Trains the bundled default AU model from scratch on SynthAU and evaluates it (fold 1), then
#   node --import tsx scripts/make-default-model.ts "$OUT/runs/default" packs it into assets/models/.
# Usage: scripts/train-default-model.sh [OUT]   (default experiments/default-model; ~30 min on 2 cores)
# Re-running resumes an interrupted training and skips data already generated.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-experiments/default-model}
A="node bin/aunce.mjs"
# 41 subjects, so the 27 training identities of fold 1 outnumber what a small net can memorise
# (trained on the demo's 6, the first model mostly learnt identities: docs/experiments.md).
[ -f "$OUT/synth/synth.json" ] || $A synth --style bp4d --subjects 41 --sequences 8 --frames 40 --size 112 --out "$OUT/synth" --seed 21 --force
[ -f "$OUT/prepared/summary.json" ] || $A prepare bp4d --root "$OUT/synth" --out "$OUT/prepared"
RESUME=$([ -f "$OUT/runs/default/last.safetensors" ] && echo --resume || true)
$A train --dataset BP4D --data_root "$OUT/prepared" --fold 1 --exp_name default --out_dir "$OUT/runs" --supervised \
  --backbone resnet18_w32 --crop_size 96 --epochs 20 --batch_size 32 --lr 1e-3 --seed 3407 --checkpoint_every 200 \
  --set drop_path=0 $RESUME
$A evaluate --checkpoint "$OUT/runs/default/last.safetensors" --out "$OUT/runs/default/evaluate"
