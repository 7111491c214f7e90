#!/usr/bin/env python3
"""PyTorch peer for the Swin-T rows of bench/engine.ts: our PyTorch Swin written from the paper
(scripts/fixtures/swin_ref.py, official layout, drop path 0.2 as our swin_t), training step (batch
8, 224, AdamW, cross-entropy) and eval-mode no-grad inference (batch 8); the threads ours uses;
medians after warm-up (2 training steps, 1 inference batch, as ours). Prints one JSON line.
Usage: python3 bench/peer/swin_t.py THREADS TRAIN_STEPS INFER_STEPS
"""
import json
import os
import sys

import torch

from common import info, median_time, setup, train_step_time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "fixtures"))
from swin_ref import Swin  # noqa: E402

threads, train_steps, infer_steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
setup(threads)
model = Swin(embed=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24), drop_path=0.2)
x = torch.randn(8, 3, 224, 224)
target = torch.randint(0, 1000, (8,))
train = train_step_time(model, x, target, train_steps, weight_decay=0.05)
model.eval()
with torch.no_grad():
    infer = median_time(lambda: model(x), 1, infer_steps)
print(json.dumps({"train_step_s": train, "infer_batch_s": infer, **info()}))
