#!/usr/bin/env python3
"""PyTorch side of bench/models.ts: times the same training steps and prints one JSON line.
Swin-T is our PyTorch Swin written from the paper (scripts/fixtures/swin_ref.py, official layout);
ResNet-50 is torchvision's. Median of <reps> after one warm-up step. Run by bench/models.ts with the
PyTorch of the addon's libtorch (scripts/peer-python.ts). Usage: python3 bench/models_torch.py <reps> [threads]"""
import json
import os
import sys
import time

import statistics

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts", "fixtures"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "peer"))
from common import setup, tv_models  # noqa: E402
from swin_ref import Swin  # noqa: E402

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
setup(int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count())


def best_step(model, batch, size):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, 1000, (batch,))
    model.train()
    times = []
    for i in range(reps + 1):  # the first step warms up (allocator, oneDNN primitives)
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def aunce_like(b=32, c=1024, n=12, tau=0.5):
    z1 = F.normalize(torch.randn(b, c, n), dim=1).requires_grad_(True)
    z2 = F.normalize(torch.randn(b, c, n), dim=1).requires_grad_(True)
    y = (torch.rand(b, n) > 0.5).float()
    times = []
    for i in range(reps + 3):
        t = time.perf_counter()
        z = torch.cat([z1, z2]).permute(2, 0, 1)
        s = z @ z.transpose(1, 2)
        S = (s / tau).exp()
        yy = torch.cat([y, y]).T
        same = (yy[:, :, None] == yy[:, None, :]).float()
        pos = (S * same).sum(2) / (2 * b)
        beta = yy * 0.4 + 0.8
        neg = ((s * beta[:, :, None] / tau).exp() * (1 - same)).sum(2)
        torch.log1p(neg / pos).mean().backward()
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


out = {"threads": torch.get_num_threads(), "torch": torch.__version__}
out["swin_t_step_ms"] = best_step(Swin(embed=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24), drop_path=0.2), 8, 224)
out["resnet50_step_ms"] = best_step(tv_models().resnet50(), 8, 224)
out["aunce_ms"] = aunce_like()
print(json.dumps(out))
