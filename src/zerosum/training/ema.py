"""An exponential moving average of G's weights.

Sampling from the averaged weights smooths the oscillation of adversarial training. The decay warms up as
min(decay, (1 + t) / (10 + t)), so early in a short run the average is not dominated by the random initial
weights. BatchNorm running statistics are copied, not averaged.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


def make_ema(model: nn.Module) -> nn.Module:
    ema = copy.deepcopy(model)
    ema.eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    return ema


def ema_decay(decay: float, step: int) -> float:
    """The decay used at update `step` (0-based)."""
    return min(decay, (1.0 + step) / (10.0 + step))


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    ema_params = list(ema.parameters())
    torch._foreach_lerp_(ema_params, [p.detach() for p in model.parameters()], 1.0 - decay)
    for b_ema, b in zip(ema.buffers(), model.buffers(), strict=True):
        b_ema.copy_(b)
