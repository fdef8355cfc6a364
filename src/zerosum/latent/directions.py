"""Directions in z to slide along: single coordinates, or the principal directions of G's output (GANSpace,
Härkönen et al. 2020, applied at G's output layer).

The principal directions: draw n z, take the principal components of the images G makes of them, and regress
each component's scores on z (least squares). The regression's coefficients are the direction in z that moves G's
output most along that component; a z moved along it changes the image in the component's way. Each direction is
scaled to unit length, so a slider value s means z + s·d with the same units as the prior's standard deviation.
"""

from __future__ import annotations

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.run import Run, require_gan
from zerosum.sampling import generate

MAX_DIRECTIONS = 16


def coordinate_direction(nz: int, index: int) -> Tensor:
    """The unit vector of z's coordinate `index`."""
    if not 0 <= index < nz:
        raise ConfigError(f"dimension {index}: this run's z has coordinates 0..{nz - 1}")
    d = torch.zeros(nz)
    d[index] = 1.0
    return d


def principal_directions(run: Run, k: int = 8, n: int = 512, seed: int = 0) -> tuple[Tensor, Tensor]:
    """The top `k` principal directions of G's output mapped into z (k×nz, unit rows), and the share of the
    output's variance each component holds (k,)."""
    require_gan(run, "directions")
    if not 1 <= k <= MAX_DIRECTIONS:
        raise ConfigError(f"{k} directions: ask for 1 to {MAX_DIRECTIONS}")
    G = run.generator
    if run.config.model.conditional:
        raise ConfigError("principal directions are for unconditional runs; slide single coordinates instead")
    nz = int(G.nz)
    if n <= max(nz, k):
        raise ConfigError(f"{n} samples: the regression on z needs more samples than z has coordinates ({nz})")
    z = G.sample_z(n, generator=torch.Generator().manual_seed(seed)).double()
    x = generate(run, z.float()).flatten(1).double()
    x = x - x.mean(0)
    _, s, v = torch.linalg.svd(x, full_matrices=False)
    scores = x @ v[:k].T  # n×k
    coef = torch.linalg.lstsq(z - z.mean(0), scores - scores.mean(0)).solution  # nz×k
    d = coef.T
    d = d / d.norm(dim=1, keepdim=True).clamp(min=1e-12)
    share = (s[:k] ** 2) / (s**2).sum()
    return d.float(), share.float()


__all__ = ["MAX_DIRECTIONS", "coordinate_direction", "principal_directions"]
