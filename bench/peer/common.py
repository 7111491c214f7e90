"""Shared set-up of the PyTorch peers (bench/peer/*.py, bench/models_torch.py): thread count, seed,
a timer that returns the median after warm-up, and torchvision's models.

torchvision: the wheels pip finds for torch 2.x here are CUDA builds, whose C++ ops (nms,
roi_align, ...) cannot load next to the CPU torch; `import torchvision` then fails in its op
registrations. The models (resnet, ...) are pure Python and use none of those ops, so on that
failure the package is entered without running its __init__ (same model code, no C++ ops).
Debian's python3-torchvision imports normally.
"""
import importlib.util
import statistics
import sys
import time
import types

import torch


def setup(threads):
    torch.set_num_threads(threads)  # Debian's build starts with 1 thread
    torch.manual_seed(0)


def tv_models():
    """torchvision.models, importing torchvision without its C++ ops when they cannot load."""
    try:
        import torchvision

        return torchvision.models
    except (RuntimeError, OSError, ImportError):
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
        spec = importlib.util.find_spec("torchvision")
        pkg = types.ModuleType("torchvision")
        pkg.__path__ = list(spec.submodule_search_locations)
        pkg.__spec__ = spec
        sys.modules["torchvision"] = pkg
        import torchvision.models

        return torchvision.models


def median_time(fn, warmup, steps):
    """Median seconds of `steps` calls of fn after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def info():
    return {"threads": torch.get_num_threads(), "torch": torch.__version__}


def train_step_time(model, x, target, steps, warmup=2, lr=1e-4, weight_decay=0.01):
    """Median seconds of an AdamW cross-entropy training step on (x, target), as ours times it."""
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)  # as ours (optimizer.zeroGrad() drops the gradients)
        torch.nn.functional.cross_entropy(model(x), target).backward()
        opt.step()

    return median_time(step, warmup, steps)
