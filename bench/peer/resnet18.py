#!/usr/bin/env python3
"""PyTorch peer for bench/engine.ts: ResNet-18 training step (batch 8, 224, AdamW) and inference
(batch 32), torchvision's model, all cores, medians after warm-up. Prints one JSON line.
Usage: /usr/bin/python3 bench/peer/resnet18.py THREADS TRAIN_STEPS INFER_STEPS LAYOUT
"""
import json
import statistics
import sys
import time

import torch
import torchvision

threads, train_steps, infer_steps, layout = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(threads)  # Debian's build starts with 1 thread
torch.manual_seed(0)
fmt = torch.channels_last if layout == "channels_last" else torch.contiguous_format
model = torchvision.models.resnet18().to(memory_format=fmt)
opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
x = torch.randn(8, 3, 224, 224).to(memory_format=fmt)
target = torch.randint(0, 1000, (8,))
times = []
model.train()
for i in range(train_steps + 2):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), target)
    loss.backward()
    opt.step()
    if i >= 2:
        times.append(time.perf_counter() - t0)
train = statistics.median(times)
model.eval()
xb = torch.randn(32, 3, 224, 224).to(memory_format=fmt)
times = []
with torch.no_grad():
    for i in range(infer_steps + 1):
        t0 = time.perf_counter()
        model(xb)
        if i >= 1:
            times.append(time.perf_counter() - t0)
print(json.dumps({"train_step_s": train, "infer_batch_s": statistics.median(times), "threads": torch.get_num_threads(), "torch": torch.__version__}))
