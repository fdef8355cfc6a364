"""Population BatchNorm statistics for a generator about to be sampled (`model.bn_stats: population`).

In eval mode BatchNorm normalises by its running averages, which training updates with momentum 0.1 from the
batches of the *live* weights. Two things make those averages a poor fit for the weights being sampled: they
trail the weights (the last few hundred steps dominate, each with other weights), and an EMA copy of G carries
the live G's averages (`training.ema` copies buffers) while its own averaged weights never produced them. Here
the statistics are measured anew for exactly the weights at hand: BN layers in training mode with a cumulative
average (momentum None) over fresh noise batches from a fixed seed, on a copy, so neither the model nor any RNG
of training changes.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

POINT_SAMPLES = 50_000  # a 2-D G costs nothing per sample, and a 1% error in a mean moves every sample
IMAGE_SAMPLES = 2_000  # a DCGAN's forward is costly; 2,000 fix the statistics to about 2% of a std
BATCH = 500
SEED = 1234


@torch.no_grad()
def with_population_statistics(G: nn.Module, samples: int | None = None, seed: int = SEED) -> nn.Module:
    """A copy of G in eval mode whose BatchNorm layers hold the mean and variance of their inputs over `samples`
    draws of G's own prior (and uniform labels, for a conditional G); by default POINT_SAMPLES for point data,
    IMAGE_SAMPLES for images."""
    out = copy.deepcopy(G)
    out.eval()
    norms = [m for m in out.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return out
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average: the plain mean over all batches
        m.train()
    if samples is None:
        samples = POINT_SAMPLES if len(out.out_shape) == 1 else IMAGE_SAMPLES
    gen = torch.Generator().manual_seed(seed)
    for start in range(0, samples, BATCH):
        n = min(BATCH, samples - start)
        out(out.sample_z(n, generator=gen), out.sample_y(n, generator=gen))
    for m in norms:
        m.momentum = 0.1
        m.eval()
    return out
