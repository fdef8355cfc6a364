"""Learning-rate and momentum schedules as pure functions of the update count.

Being functions of the step, they need no state of their own: resuming at step t gives exactly the values the
uninterrupted run had. The GAN paper's MNIST run divided the lr by 1.000004 after every update (floored at
1e-6) and raised SGD momentum linearly from 0.5 to 0.7.
"""

from __future__ import annotations

import torch

from zerosum.config import TrainConfig


def learning_rate(base: float, step: int, cfg: TrainConfig) -> float:
    """lr after `step` updates: base / lr_decay**step, never below lr_min; then the optional linear anneal to 0
    over the last part of the run (it sharpens samples at the end of a short run)."""
    lr = base if cfg.lr_decay == 1.0 else max(base / cfg.lr_decay**step, cfg.lr_min)
    if cfg.lr_anneal_from is not None:
        start = cfg.lr_anneal_from * cfg.steps
        if step > start:
            lr *= max(cfg.steps - step, 0) / max(cfg.steps - start, 1e-9)
    return lr


def momentum(step: int, cfg: TrainConfig) -> float:
    """SGD momentum after `step` updates: linear from `momentum` to `momentum_final` over `momentum_steps`."""
    if cfg.momentum_final is None:
        return cfg.momentum
    frac = min(step / cfg.momentum_steps, 1.0)
    return cfg.momentum + frac * (cfg.momentum_final - cfg.momentum)


def apply(optimizer: torch.optim.Optimizer, base_lr: float, step: int, cfg: TrainConfig, scale: float = 1.0) -> float:
    """Set the scheduled lr (and SGD momentum) on every param group; returns the lr.

    `scale` (the divergence recoveries' factor) multiplies the scheduled value, so it also lowers a run already
    decayed to `lr_min`.
    """
    lr = learning_rate(base_lr, step, cfg) * scale
    for group in optimizer.param_groups:
        group["lr"] = lr
        if cfg.optimizer == "sgd":
            group["momentum"] = momentum(step, cfg)
    return lr


def make_optimizer(params, lr: float, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, betas=tuple(cfg.betas))
    return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum)
