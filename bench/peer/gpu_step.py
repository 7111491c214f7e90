#!/usr/bin/env python3
"""PyTorch side of bench/gpu.ts: the same AUNCE training step, timed the same way, one JSON line out.

The network is the project's PyTorch reference: Swin from scripts/fixtures/swin_ref.py and the
AU head (global LinearBlock + AU graph head) from scripts/fixtures/models.py, as in the conformance
fixtures. The AUNCE loss is computed vectorised (as src/losses/aunce.ts does) and checked at start
against the fixtures' loop reference (models.aunce_ref) for all three positive types, so the
timed loss is the reference's loss without the reference's Python loops.

Usage: python3 bench/peer/gpu_step.py --device cuda:0 --backbone swin_b --batch 32 --size 224 \
           --steps 10 --warmup 3 --amp off|bf16 [--drop-path 0.5] [--aus 12]
Runs on whatever torch this python has (prints its version); torchvision is not needed.
"""
import argparse
import json
import os
import sys
import time
import types

import torch
import torch.nn.functional as F

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "fixtures")
sys.path.insert(0, FIXTURES)
try:
    import torchvision  # noqa: F401  (models.py imports it for its ResNet fixture only)
except ImportError:
    sys.modules["torchvision"] = types.ModuleType("torchvision")
_threads = torch.get_num_threads()
import models  # noqa: E402
from swin_ref import Swin  # noqa: E402

torch.set_num_threads(_threads)  # models.py pins one thread for its fixtures

# The registry's Swin variants (src/models/backbones/swin.ts).
SWIN = {
    "swin_t": dict(embed=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24)),
    "swin_s": dict(embed=96, depths=(2, 2, 18, 2), heads=(3, 6, 12, 24)),
    "swin_b": dict(embed=128, depths=(2, 2, 18, 2), heads=(4, 8, 16, 32)),
}
# The trainer's defaults (src/train/config.ts): AdamW lr 1e-5, betas (0.9, 0.999), weight decay 1e-6; tau 0.5; seed 3407.
LR, BETAS, WD, TAU, SEED = 1e-5, (0.9, 0.999), 1e-6, 0.5, 3407


def aunce(z1, z2, y, u, tau=TAU, thresholds=(0.2, 0.8), betas=(1.2, 0.8)):
    """The AUNCE loss over [B, C, N] embeddings, vectorised over AUs and anchors."""
    b, _, n = z1.shape
    z = torch.cat([z1, z2], 0).permute(2, 0, 1)  # [N, 2B, C]
    s = z @ z.transpose(1, 2)
    S = (s / tau).exp()
    yy = torch.cat([y, y], 0).T.to(z.dtype)  # [N, 2B]
    same = (yy[:, :, None] == yy[:, None, :]).to(z.dtype)
    pos_s = S * same
    partner = torch.tensor([(i + b) % (2 * b) for i in range(2 * b)], device=z.device)
    pos_view = S.gather(2, partner.view(1, 2 * b, 1).expand(n, 2 * b, 1)).squeeze(2)
    u = torch.tensor(u, dtype=torch.float64, device=z.device)
    pick = lambda m: m.to(z.dtype)[:, None]  # noqa: E731
    pos = (pos_s.max(2).values * pick(u < thresholds[0]) + pos_s.sum(2) / (2 * b) * pick((u >= thresholds[0]) & (u < thresholds[1]))
           + pos_view * pick(u >= thresholds[1]))
    beta = (yy * (betas[0] - betas[1]) + betas[1])[:, :, None]
    neg = ((s * beta / tau).exp() * (1 - same)).sum(2)
    return torch.log1p(neg / pos).mean(1).mean()


def check_loss():
    """The vectorised loss must equal the fixtures' loop reference (every positive type, an all-one AU)."""
    g = torch.Generator().manual_seed(0)
    z1 = F.normalize(torch.randn(5, 8, 4, generator=g, dtype=torch.float64), dim=1)
    z2 = F.normalize(torch.randn(5, 8, 4, generator=g, dtype=torch.float64), dim=1)
    y = (torch.rand(5, 4, generator=g) > 0.5).double()
    y[:, 2] = 1
    for u in ([0.1, 0.5, 0.9, 0.3], [0.85, 0.05, 0.5, 0.99]):
        ref, _ = models.aunce_ref(z1, z2, y, u)
        got = aunce(z1, z2, y, u)
        assert abs(ref.item() - got.item()) < 1e-9, f"vectorised AUNCE {got.item()} != reference {ref.item()}"


def build(backbone, size, drop_path, aus):
    if backbone not in SWIN:
        raise SystemExit(f"gpu_step.py: backbone must be one of {', '.join(SWIN)}, got {backbone}")
    swin = Swin(**SWIN[backbone], img=size, drop_path=drop_path, classes=0)
    return models.AuNet(swin, swin.num_features, swin.num_features, aus)


def forward(net, x):
    """images -> AU embeddings [B, C, N], as AuModel.forward in AUNCE mode."""
    tokens = net.backbone.forward_features(x)
    return models.Head.embeddings(net.head.nodes(net.global_linear(tokens)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--backbone", default="swin_b")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--amp", choices=("off", "bf16"), default="off")
    ap.add_argument("--drop-path", type=float, default=0.5)
    ap.add_argument("--aus", type=int, default=12)
    a = ap.parse_args()
    check_loss()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(SEED)
    net = build(a.backbone, a.size, a.drop_path, a.aus).to(dev).train()
    opt = torch.optim.AdamW(net.parameters(), lr=LR, betas=BETAS, weight_decay=WD)
    views = [torch.randn(a.batch, 3, a.size, a.size, device=dev) for _ in range(2)]
    labels = (torch.rand(a.batch, a.aus, device=dev) > 0.5).float()
    rng = torch.Generator().manual_seed(SEED)
    sync = (lambda: torch.cuda.synchronize(dev)) if cuda else (lambda: None)
    times, loss = [], float("nan")
    for i in range(a.warmup + a.steps):
        if i == a.warmup and cuda:
            torch.cuda.reset_peak_memory_stats(dev)
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        u = torch.rand(a.aus, generator=rng, dtype=torch.float64).tolist()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.amp == "bf16"):
            z1 = forward(net, views[0]).float()
            z2 = forward(net, views[1]).float()
            l = aunce(z1, z2, labels, u)
        loss = l.item()
        l.backward()
        opt.step()
        sync()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    times_sorted = sorted(times)
    m = len(times_sorted) // 2
    med = times_sorted[m] if len(times_sorted) % 2 else (times_sorted[m - 1] + times_sorted[m]) / 2
    print(json.dumps({
        "torch": torch.__version__, "cuda": torch.version.cuda, "step_ms": med, "steps_ms": times,
        "images_per_sec": 2 * a.batch * 1000 / med, "peak_bytes": torch.cuda.max_memory_allocated(dev) if cuda else None, "loss": loss,
    }))


if __name__ == "__main__":
    main()
