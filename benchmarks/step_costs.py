"""What one training step costs: its FLOPs, and where its time goes. Helpers of benchmarks/throughput.py.

A step is a callable that trains on one batch and returns the number of images it used.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

# category → pattern on the name of a top-level profiler event (an op called from Python, an autograd node's
# evaluation, an optimizer call); the first match wins, the rest is OTHER
CATEGORIES: list[tuple[str, re.Pattern]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("convolution backward", r"Convolution.*Backward"),
        ("convolution forward", r"conv"),
        ("linear backward", r"(Addmm|Mm|Bmm|Linear)Backward"),
        ("linear forward", r"^aten::(linear|addmm|mm|bmm|matmul)$"),
        ("batch norm", r"batch_?norm"),
        ("activations", r"relu|tanh|sigmoid|gelu|silu|elu|amax"),  # amax: maxout
        ("dropout", r"dropout"),
        ("optimizer", r"^Optimizer\."),
    ]
]
SHOWN = ["convolution forward", "convolution backward", "linear forward", "linear backward", "batch norm"]
SHOWN += ["activations", "dropout", "optimizer"]  # the order of the printed shares
OTHER = "other ops"
IDLE = {"cpu": "outside ops (Python)", "cuda": "GPU idle"}  # the rest of the wall time


def count_flops(step: Callable[[], int]) -> float:
    """FLOPs per image of one call of `step`, forward and backward, as FlopCounterMode counts them: matmuls and
    convolutions (2 per multiply-add), whatever the dtype, so under autocast and channels_last too."""
    with FlopCounterMode(display=False) as counter:
        images = step()
    return counter.get_total_flops() / images


def _category(name: str) -> str:
    return next((cat for cat, pattern in CATEGORIES if pattern.search(name)), OTHER)


def profile_step(step: Callable[[], int], steps: int, device: torch.device) -> tuple[dict[str, float], str, float]:
    """torch.profiler over `steps` calls of `step`: each category's share of their wall time (on a GPU, the time of
    the kernels that each top-level op launched), the profiler's table of the top 10 ops by self time, and the
    seconds per step (the profiler's own overhead included)."""
    cuda = device.type == "cuda"
    activities = [ProfilerActivity.CPU] + [ProfilerActivity.CUDA] * cuda
    with profile(activities=activities) as prof:
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        if cuda:
            torch.cuda.synchronize(device)
        wall_us = (time.perf_counter() - t0) * 1e6
    order = [*SHOWN, OTHER, IDLE["cuda" if cuda else "cpu"]]
    spent = dict.fromkeys(order, 0.0)
    for event in prof.events():
        if event.cpu_parent is None:
            spent[_category(event.name)] += event.device_time_total if cuda else event.cpu_time_total
    spent[order[-1]] = max(0.0, wall_us - sum(spent.values()))
    shares = {cat: us / wall_us for cat, us in spent.items() if us > 0}
    sort_by = "self_device_time_total" if cuda else "self_cpu_time_total"
    return shares, prof.key_averages().table(sort_by=sort_by, row_limit=10), wall_us / 1e6 / steps
