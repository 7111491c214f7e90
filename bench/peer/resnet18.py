#!/usr/bin/env python3
"""PyTorch peer for bench/engine.ts: torchvision ResNet-18 training step (batch 8, 224, AdamW,
cross-entropy) and eval-mode no-grad inference (batch 32), in one memory layout; the threads ours
uses; medians after warm-up (2 training steps, 1 inference batch, as ours). Prints one JSON line.
Usage: python3 bench/peer/resnet18.py THREADS TRAIN_STEPS INFER_STEPS LAYOUT
"""
import json
import sys

import torch

from common import info, median_time, setup, train_step_time, tv_models

threads, train_steps, infer_steps, layout = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
setup(threads)
fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
model = tv_models().resnet18().to(memory_format=fmt)
x = torch.randn(8, 3, 224, 224).to(memory_format=fmt)
target = torch.randint(0, 1000, (8,))
train = train_step_time(model, x, target, train_steps, weight_decay=0.01)
model.eval()
xb = torch.randn(32, 3, 224, 224).to(memory_format=fmt)
with torch.no_grad():
    infer = median_time(lambda: model(xb), 1, infer_steps)
print(json.dumps({"train_step_s": train, "infer_batch_s": infer, **info()}))
