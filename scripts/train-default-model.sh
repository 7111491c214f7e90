#!/usr/bin/env bash
# Trains the bundled default AU model and measures it (fold 1; ~20 min of quiet CPU on 2 cores),
# then packs it into assets/models/ with its README:
#   node --import tsx scripts/make-default-model.ts "$OUT/runs/default"
# Recipe (issue 15's choice, docs/realface.md): face-api's face-expression network (real-face
# trained, MIT) fine-tuned under the ME-GraphAU stage-1 head on SynthAU's lab-domain renders
# (41 subjects x 8 sequences x 40 frames at 112 px, seed 21), 96 px crops, 16 epochs, AdamW lr 3e-4,
# x0.1 for the last 4 epochs. Data, evaluations and the real-face check: scripts/train-photo-model.sh.
# Usage: scripts/train-default-model.sh [OUT]   (default experiments/photo-model, whose data the
# other candidates share). Re-running resumes an interrupted training and skips data already made.
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN_DOMAIN=lab exec scripts/train-photo-model.sh "${1:-experiments/photo-model}" default \
  --backbone faceapi_expression --crop_size 96 --epochs 16 --lr_decay_last_epochs 4 --lr 3e-4
