"""Walking in latent space (DCGAN paper §6.1): if G learned something smooth, images change gradually along a line.

Sharp jumps or a walk that stays on one image would hint at memorisation; smooth transitions with plausible
images all the way say the model learned relevant representations. Two ways to walk: `lerp` (a straight line)
and `slerp` (the great circle, White 2016), which keeps the walk at the norm where Gaussian z live instead of
cutting through the low-norm middle that a straight line between two random z passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.run import Run
from zerosum.sampling import generate

MODES = ("lerp", "slerp")
PARALLEL = 1e-6  # sin(angle) below this: the great circle is undefined or numerically noisy, use a straight line


def _times(t: float | Tensor, like: Tensor) -> Tensor:
    return torch.as_tensor(t, dtype=torch.float64, device=like.device)


def _shape(coef: Tensor, z: Tensor) -> Tensor:
    """Coefficients of shape (T,) or () broadcast over z's shape: the result is T×z.shape (or z.shape)."""
    return coef.reshape(coef.shape + (1,) * z.dim())


def lerp(z0: Tensor, z1: Tensor, t: float | Tensor) -> Tensor:
    """(1 − t)·z0 + t·z1; `t` a number or a 1-D tensor (then one row per t). Exact at t = 0 and t = 1."""
    tt = _times(t, z0)
    a, b = _shape(1 - tt, z0), _shape(tt, z0)
    return (a * z0.double() + b * z1.double()).to(z0.dtype)


def slerp(z0: Tensor, z1: Tensor, t: float | Tensor) -> Tensor:
    """Spherical interpolation of two vectors: sin((1 − t)ω)/sin ω · z0 + sin(tω)/sin ω · z1, ω their angle.

    Equal-norm inputs stay at that norm along the great circle through them. Exact at t = 0 and 1. Nearly parallel
    (or opposite) vectors have no well-defined circle, so they fall back to `lerp`.
    """
    if z0.dim() != 1 or z0.shape != z1.shape:
        raise ValueError(f"slerp interpolates two vectors of one size; got {tuple(z0.shape)} and {tuple(z1.shape)}")
    a, b = z0.double(), z1.double()
    na, nb = a.norm(), b.norm()
    if na == 0 or nb == 0:
        return lerp(z0, z1, t)
    cos = (a @ b / (na * nb)).clamp(-1.0, 1.0)
    omega = torch.arccos(cos)
    sin = torch.sin(omega)
    if sin < PARALLEL:
        return lerp(z0, z1, t)
    tt = _times(t, z0)
    ca, cb = torch.sin((1 - tt) * omega) / sin, torch.sin(tt * omega) / sin
    return (_shape(ca, a) * a + _shape(cb, b) * b).to(z0.dtype)


def _interp(mode: str):
    if mode not in MODES:
        raise ConfigError(f"interpolation mode {mode!r}: choose one of {', '.join(MODES)}")
    return lerp if mode == "lerp" else slerp


def segment(z0: Tensor, z1: Tensor, steps: int, mode: str = "lerp") -> Tensor:
    """`steps` points from z0 to z1 inclusive (steps × nz), evenly spaced in t."""
    if steps < 2:
        raise ConfigError(f"--steps {steps}: a walk needs at least 2 images (its two ends)")
    return _interp(mode)(z0, z1, torch.linspace(0, 1, steps, dtype=torch.float64))


def path_points(points: Tensor, steps: int, mode: str = "lerp") -> Tensor:
    """A walk through K points (K × nz): K − 1 segments of `steps` points each, a shared end counted once.

    The result has (K − 1)·(steps − 1) + 1 rows, and point i sits at row i·(steps − 1).
    """
    if points.dim() != 2 or points.shape[0] < 2:
        raise ConfigError(f"a walk needs at least 2 latent points, got shape {tuple(points.shape)}")
    parts = [segment(points[0], points[1], steps, mode)]
    for i in range(1, points.shape[0] - 1):
        parts.append(segment(points[i], points[i + 1], steps, mode)[1:])
    return torch.cat(parts)


def row_labels(run: Run, rows: int) -> list[int] | None:
    """Class of each row for a conditional run (row r draws class r mod k, fixed along the row); None otherwise."""
    if not run.config.model.conditional:
        return None
    k = run.config.data_info.num_classes
    return [r % k for r in range(rows)]


def _repeat_labels(labels: list[int] | None, per_row: int) -> Tensor | None:
    return None if labels is None else torch.tensor(labels).repeat_interleave(per_row)


def interpolate(run: Run, pairs_z: Tensor, steps: int, mode: str = "lerp", labels: list[int] | None = None) -> Tensor:
    """Images of one walk per pair: pairs_z is P×2×nz, the result P×steps×C×H×W (row p from pair p's first z to
    its second). Conditional runs need `labels` (one class per row, kept along the row); default r mod k."""
    if pairs_z.dim() != 3 or pairs_z.shape[1] != 2:
        raise ConfigError(f"interpolate needs pairs of z shaped P×2×nz, got {tuple(pairs_z.shape)}")
    z = torch.cat([segment(p[0], p[1], steps, mode) for p in pairs_z])
    labels = labels if labels is not None else row_labels(run, len(pairs_z))
    images = generate(run, z, _repeat_labels(labels, steps))
    return images.reshape(len(pairs_z), steps, *images.shape[1:])


def walk(run: Run, points_z: Tensor, steps: int, mode: str = "lerp", label: int | None = None) -> Tensor:
    """Images along `path_points(points_z, steps, mode)`; a conditional run keeps one class (default 0)."""
    z = path_points(points_z, steps, mode)
    y = None
    if run.config.model.conditional:
        y = torch.full((len(z),), 0 if label is None else label, dtype=torch.long)
    return generate(run, z, y)


def seed_z(run: Run, seeds: Sequence[int]) -> Tensor:
    """One z per seed, each drawn alone (`sample_z(1)` with a generator seeded by it), so a seed names a point."""
    G = run.generator
    return torch.cat([G.sample_z(1, generator=torch.Generator().manual_seed(s), device="cpu") for s in seeds])


def random_pairs(run: Run, n: int, seed: int) -> Tensor:
    """n pairs of z (n×2×nz) drawn from one generator seeded by `seed`."""
    if n < 1:
        raise ConfigError(f"--pairs {n}: ask for at least one pair")
    z = run.generator.sample_z(2 * n, generator=torch.Generator().manual_seed(seed), device="cpu")
    return z.reshape(n, 2, -1)
