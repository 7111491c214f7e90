#!/usr/bin/env python3
"""PyTorch peer for the frozen-inference rows of bench/engine.ts: torchvision ResNet-18 through
torch.jit.freeze + torch.jit.optimize_for_inference (folded batch norm, oneDNN kernels with
pre-reordered weights: what our FrozenResNet does), batch 1 and batch 32 at 224x224, all cores,
medians after warm-up. Prints one JSON line.
Usage: /usr/bin/python3 bench/peer/resnet18_frozen.py THREADS STEPS
"""
import json
import statistics
import sys
import time

import torch
import torchvision

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)  # Debian's build starts with 1 thread
torch.manual_seed(0)
with torch.no_grad():
    model = torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(torchvision.models.resnet18().eval())))
    out = {}
    for batch, reps in [(1, steps * 10), (32, steps)]:
        x = torch.randn(batch, 3, 224, 224)
        for _ in range(3):
            model(x)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
        out[f"b{batch}_s"] = statistics.median(times)
print(json.dumps({**out, "threads": torch.get_num_threads(), "torch": torch.__version__}))
