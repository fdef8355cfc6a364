"""Mode coverage on known mixtures: the VEEGAN (Srivastava et al. 2017) / PacGAN (Lin et al. 2018) protocol.

2-D mixtures (ring-8, grid-25; their means come from `zerosum.data.toy.ring_modes` / `grid_modes`): every sample
is assigned to its nearest mode and called "high quality" when it lies within 3 standard deviations of it. A mode
is captured when it receives at least `min_count` high-quality samples. The papers count a mode as captured as
soon as it has high-quality samples, hence the default 1; raise `min_count` to ignore modes hit only by a few
stray samples when the sample count is large. The reverse KL compares the histogram of high-quality samples over
modes with the uniform distribution, KL(p_gen || uniform), 0·log 0 = 0; it is NaN when no sample is high quality.

Stacked MNIST (three digits stacked as RGB channels, 1,000 modes): given the digit a classifier predicts for each
channel, the mode is 100·a + 10·b + c; captured modes are those hit at least once, KL as above over 1,000 modes.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from zerosum.data.toy import grid_modes, ring_modes
from zerosum.errors import ConfigError

__all__ = ["N_STACKED_MODES", "grid_modes", "mode_stats", "ring_modes", "stacked_mode_stats"]

N_STACKED_MODES = 1000
QUALITY_STDS = 3.0


def _kl_to_uniform(counts: Tensor) -> float:
    """KL(p || uniform) for p = counts / counts.sum(), with 0·log 0 = 0; NaN for an empty histogram."""
    total = int(counts.sum())
    if total == 0:
        return float("nan")
    hit = counts[counts > 0]
    # The ratio p / (1 / M) from integers, so a uniform histogram gives log(1) = 0 exactly.
    ratio = (hit * len(counts)).double() / total
    return float((hit.double() / total * ratio.log()).sum().clamp(min=0.0))


def _check_min_count(min_count: int) -> None:
    if int(min_count) < 1:
        raise ConfigError(f"min_count must be >= 1, got {min_count}")


def mode_stats(samples: Tensor, means: Tensor, std: float, min_count: int = 1) -> dict[str, float | int]:
    """Modes captured, share of high-quality samples and reverse KL to uniform, for `samples` (N × D) of a mixture.

    Returns {"modes": captured count, "n_modes": len(means), "high_quality": share in [0, 1], "kl": float}.
    """
    if not isinstance(samples, Tensor) or samples.dim() != 2 or len(samples) == 0:
        shape = tuple(samples.shape) if isinstance(samples, Tensor) else type(samples).__name__
        raise ConfigError(f"samples must be a non-empty 2-D tensor (N × D), got {shape}")
    if not isinstance(means, Tensor) or means.dim() != 2 or len(means) == 0:
        shape = tuple(means.shape) if isinstance(means, Tensor) else type(means).__name__
        raise ConfigError(f"means must be a non-empty 2-D tensor (modes × D), got {shape}")
    if samples.shape[1] != means.shape[1]:
        raise ConfigError(
            f"samples are {samples.shape[1]}-D but the mixture means are {means.shape[1]}-D; sample the matching model"
        )
    if not (float(std) > 0 and math.isfinite(float(std))):
        raise ConfigError(f"std must be a positive finite number, got {std}")
    _check_min_count(min_count)
    x, mu = samples.detach().double(), means.detach().double()
    dist = torch.cdist(x, mu, compute_mode="donot_use_mm_for_euclid_dist")
    nearest_dist, nearest = dist.min(1)
    # NaN samples (a diverged generator) compare False, so they count as low quality rather than crashing.
    good = nearest_dist <= QUALITY_STDS * float(std)
    counts = torch.bincount(nearest[good], minlength=len(mu))
    return {
        "modes": int((counts >= min_count).sum()),
        "n_modes": len(mu),
        "high_quality": float(good.double().mean()),
        "kl": _kl_to_uniform(counts),
    }


def stacked_mode_stats(digit_predictions: Tensor, min_count: int = 1) -> dict[str, float | int]:
    """Modes captured out of 1,000 and KL(p_gen || uniform) from per-channel predicted digits (N × 3 integers).

    Returns {"modes": captured count, "n_modes": 1000, "kl": float}.
    """
    d = digit_predictions
    if not isinstance(d, Tensor) or d.dim() != 2 or d.shape[1] != 3 or len(d) == 0:
        shape = tuple(d.shape) if isinstance(d, Tensor) else type(d).__name__
        raise ConfigError(f"digit_predictions must be a non-empty N × 3 tensor (one digit per channel), got {shape}")
    if d.is_floating_point() or d.is_complex() or d.dtype == torch.bool:
        raise ConfigError(f"digit_predictions must hold integer digits, got dtype {d.dtype}; take argmax of logits")
    if bool(((d < 0) | (d > 9)).any()):
        raise ConfigError("digit_predictions must be digits 0..9; got values outside that range")
    _check_min_count(min_count)
    d = d.long()
    index = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    counts = torch.bincount(index, minlength=N_STACKED_MODES)
    return {
        "modes": int((counts >= min_count).sum()),
        "n_modes": N_STACKED_MODES,
        "kl": _kl_to_uniform(counts),
    }
