"""Toy distributions for watching a GAN learn (or drop) modes, deterministic given `seed`.

- toy-1d: N(mu, sigma) in one dimension, the data of the GAN paper's Figure 1 (defaults mu=4, sigma=0.5; the
  uniform z of that figure is the model's `z_dist`, not part of the data).
- ring-8: 8 Gaussians evenly on a circle of radius 1, std 0.01.
- grid-25: 25 Gaussians at {-4, -2, 0, 2, 4}², std 0.05.
Components get equal shares (counts differ by at most one) in shuffled order, so mode-coverage statistics
are exact rather than binomially noisy. The test split uses seed + 1, "all" is train then test. The names and
default `data.params` are declared in `registry.TOY_DEFAULTS`.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from zerosum.data.dataset import PointSet
from zerosum.data.registry import TOY_DEFAULTS
from zerosum.errors import DataError

DEFAULT_N = 100_000


def ring_modes(k: int, radius: float) -> torch.Tensor:
    angle = torch.arange(k, dtype=torch.float64) * (2 * math.pi / k)
    return (torch.stack([angle.cos(), angle.sin()], 1) * radius).to(torch.float32)


def grid_modes(side: int, spacing: float) -> torch.Tensor:
    axis = (torch.arange(side, dtype=torch.float32) - (side - 1) / 2) * spacing
    return torch.cartesian_prod(axis, axis)


def _mixture(modes: torch.Tensor, std: float, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    labels = (torch.arange(n) % len(modes))[torch.randperm(n, generator=gen)]
    noise = torch.randn(n, modes.shape[1], generator=gen)
    return modes[labels] + std * noise, labels


def _params(name: str, params: dict[str, Any]) -> dict[str, Any]:
    allowed = {"n", "seed", *TOY_DEFAULTS[name]}
    unknown = set(params) - allowed
    if unknown:
        raise DataError(f"unknown data.params {sorted(unknown)} for {name}; allowed: {', '.join(sorted(allowed))}")
    out = {"n": DEFAULT_N, "seed": 0, **TOY_DEFAULTS[name], **params}
    if int(out["n"]) < 1:
        raise DataError(f"data.params.n must be >= 1 for {name}, got {out['n']}")
    return out


def _generate(name: str, p: dict[str, Any], n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, Any]:
    gen = torch.Generator().manual_seed(seed)
    if name == "toy-1d":
        x = torch.randn(n, 1, generator=gen) * float(p["sigma"]) + float(p["mu"])
        return x, torch.zeros(n, dtype=torch.int64), None
    if name == "ring-8":
        modes = ring_modes(int(p["modes"]), float(p["radius"]))
    else:
        modes = grid_modes(int(p["side"]), float(p["spacing"]))
    x, labels = _mixture(modes, float(p["std"]), n, gen)
    return x, labels, modes


def load_toy(name: str, params: dict[str, Any], split: str = "train", limit: int | None = None) -> PointSet:
    """The toy set `name` with `params` (n, seed and the distribution's own, see module docstring)."""
    p = _params(name, params)
    n, seed = int(p["n"]), int(p["seed"])
    seeds = {"train": [seed], "test": [seed + 1], "all": [seed, seed + 1]}[split]
    parts = [_generate(name, p, n, s) for s in seeds]
    points = torch.cat([q[0] for q in parts])
    labels = torch.cat([q[1] for q in parts])
    modes = parts[0][2]
    if limit is not None:
        points, labels = points[:limit], labels[:limit]
    std = float(p["sigma"] if name == "toy-1d" else p["std"])
    classes = () if modes is None else tuple(f"mode{i}" for i in range(len(modes)))
    return PointSet(points, labels, classes, name, modes, std, source=f"generated (seed {seed})")
