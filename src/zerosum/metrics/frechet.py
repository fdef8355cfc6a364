"""Fréchet distance between Gaussians fitted to features (FID's formula) and Kernel Inception Distance.

Pure torch in float64: no scipy at runtime, and the matrix square root goes through symmetric eigendecompositions,
which stay real and stable where `scipy.linalg.sqrtm` on the non-symmetric product Σ1Σ2 may return complex noise.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from zerosum.errors import ConfigError


def _as_features(features: Tensor, name: str, min_rows: int) -> Tensor:
    x = torch.as_tensor(features)
    if x.ndim != 2 or x.shape[0] < min_rows or x.shape[1] < 1:
        raise ConfigError(f"{name} must be an N×D feature matrix with N >= {min_rows}, got shape {tuple(x.shape)}")
    return x.to(torch.float64)


def feature_stats(features: Tensor) -> tuple[Tensor, Tensor]:
    """Mean (D) and unbiased covariance (D×D, divided by N−1 like the FID reference) of N×D features, float64."""
    x = _as_features(features, "features", 2)
    return x.mean(dim=0), torch.cov(x.T, correction=1).reshape(x.shape[1], x.shape[1])


def _psd_sqrt(sigma: Tensor) -> Tensor:
    """Symmetric square root of a PSD matrix; eigenvalues below zero (rounding noise) are clamped to zero."""
    vals, vecs = torch.linalg.eigh((sigma + sigma.T) / 2)
    return (vecs * vals.clamp_min(0).sqrt()) @ vecs.T


def trace_sqrt_product(sigma1: Tensor, sigma2: Tensor) -> float:
    """Tr((Σ1Σ2)^½) for symmetric PSD matrices: Σ1Σ2 is similar to S Σ2 S with S = Σ1^½, which is symmetric PSD."""
    s = _psd_sqrt(sigma1)
    m = s @ sigma2 @ s
    return torch.linalg.eigvalsh((m + m.T) / 2).clamp_min(0).sqrt().sum().item()


def frechet_distance(mu1: Tensor, sigma1: Tensor, mu2: Tensor, sigma2: Tensor) -> float:
    """‖μ1−μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½), the squared 2-Wasserstein distance between two Gaussians."""
    mu1, mu2, sigma1, sigma2 = (torch.as_tensor(t).to(torch.float64) for t in (mu1, mu2, sigma1, sigma2))
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu1.ndim != 1 or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ConfigError(
            f"frechet_distance needs means of shape (D,) and covariances of shape (D, D) with one D; got "
            f"{tuple(mu1.shape)}, {tuple(sigma1.shape)}, {tuple(mu2.shape)}, {tuple(sigma2.shape)}"
        )
    diff = mu1 - mu2
    value = diff.dot(diff).item() + sigma1.trace().item() + sigma2.trace().item()
    value -= 2 * trace_sqrt_product(sigma1, sigma2)
    return max(value, 0.0)  # a true distance is >= 0; tiny negatives are rounding


def _poly_kernel(x: Tensor, y: Tensor) -> Tensor:
    return (x @ y.T / x.shape[1] + 1) ** 3


def _mmd2_unbiased(x: Tensor, y: Tensor) -> float:
    """Unbiased MMD² between equal-sized sets: within-set sums skip the diagonal, the cross term keeps it."""
    m = x.shape[0]
    k_xx, k_yy, k_xy = _poly_kernel(x, x), _poly_kernel(y, y), _poly_kernel(x, y)
    within = (k_xx.sum() - k_xx.diagonal().sum() + k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return (within - 2 * k_xy.sum() / (m * m)).item()


def kid(
    features_a: Tensor,
    features_b: Tensor,
    n_subsets: int = 100,
    subset_size: int = 1000,
    generator: torch.Generator | None = None,
) -> tuple[float, float]:
    """Kernel Inception Distance (Bińkowski et al. 2018): mean and std of unbiased MMD² over random subsets.

    Kernel k(x, y) = (x·y/d + 1)³. Each subset draws `subset_size` rows (capped at the smaller set) without
    replacement from each set independently; the std (population, like the reference code) says how much the
    estimate moves between subsets. Pass a seeded `generator` for a reproducible number.
    """
    a = _as_features(features_a, "features_a", 2)
    b = _as_features(features_b, "features_b", 2)
    if a.shape[1] != b.shape[1]:
        raise ConfigError(f"kid needs features of one width, got {a.shape[1]} and {b.shape[1]}")
    if n_subsets < 1 or subset_size < 2:
        raise ConfigError(f"kid needs n_subsets >= 1 and subset_size >= 2, got {n_subsets} and {subset_size}")
    m = min(subset_size, a.shape[0], b.shape[0])
    values = []
    for _ in range(n_subsets):
        ia = torch.randperm(a.shape[0], generator=generator)[:m]
        ib = torch.randperm(b.shape[0], generator=generator)[:m]
        values.append(_mmd2_unbiased(a[ia], b[ib]))
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return mean, std
