#!/usr/bin/env python3
"""PyTorch peer for the frozen-inference rows of bench/engine.ts: torchvision ResNet-18 through
torch.jit.freeze + torch.jit.optimize_for_inference (folded batch norm, oneDNN kernels with
pre-reordered weights: what our FrozenResNet does), batch 1 and batch 32 at 224x224, the threads
ours uses, medians after 3 warm-up calls. Prints one JSON line.
Usage: python3 bench/peer/resnet18_frozen.py THREADS STEPS
"""
import json
import sys

import torch

from common import info, median_time, setup, tv_models

threads, steps = int(sys.argv[1]), int(sys.argv[2])
setup(threads)
with torch.no_grad():
    model = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(tv_models().resnet18().eval())))
    out = {}
    for batch, reps in [(1, steps * 10), (32, steps)]:
        x = torch.randn(batch, 3, 224, 224)
        out[f"b{batch}_s"] = median_time(lambda: model(x), 3, reps)
print(json.dumps({**out, **info()}))
