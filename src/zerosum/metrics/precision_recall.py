"""Improved precision and recall (Kynkäänniemi et al. 2019) on feature vectors.

Each set's manifold is estimated as the union of balls around its points, the radius of a point's ball being the
distance to its k-th nearest neighbour within the same set (itself excluded; the paper uses k = 3). Precision is
the share of generated samples inside the real manifold (fidelity), recall the share of real samples inside the
generated manifold (diversity), so mode dropping lowers recall without hurting precision, unlike a single score.

Distances are computed in row batches with the matmul form ||a||² + ||b||² - 2ab, so memory stays at
batch_size × N and 10k × 10k × 128-d sets take a few seconds on a CPU. Everything is compared in squared distances
(no square roots on the hot path). The matmul form rounds: a point's distance to an exact copy of itself can come
out slightly above zero, which only matters for degenerate radius-0 balls (duplicated points) — use float64 inputs
if that case has to be exact.
"""

from __future__ import annotations

import torch
from torch import Tensor

from zerosum.errors import ConfigError

__all__ = ["knn_radii", "manifold_coverage", "precision_recall"]


def _check_features(x: Tensor, name: str) -> Tensor:
    """`x` as a floating 2-D tensor, or a ConfigError naming what is wrong with it."""
    if not isinstance(x, Tensor) or x.dim() != 2:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ConfigError(f"{name} must be a 2-D tensor (samples × features), got {shape}; flatten features first")
    if not x.is_floating_point():
        x = x.float()
    if not bool(torch.isfinite(x).all()):
        raise ConfigError(f"{name} contains NaN or inf; check the feature extractor or the generator's outputs")
    return x


def _check_positive(value: int, name: str) -> None:
    if int(value) < 1:
        raise ConfigError(f"{name} must be >= 1, got {value}")


def _partial_sq_dists(a: Tensor, b: Tensor, bias: Tensor) -> Tensor:
    """||b_j||² - 2 a_i·b_j (+ whatever else `bias` holds per column): squared distances less the row term ||a_i||².

    Row minima and top-k are unaffected by that per-row constant, so it is added only to the few values kept,
    which saves two full passes over each batch × N block.
    """
    return torch.addmm(bias.unsqueeze(0), a, b.T, alpha=-2.0)


def _knn_sq_radii(features: Tensor, k: int, batch_size: int) -> Tensor:
    sq = features.pow(2).sum(1)
    out = []
    for start in range(0, len(features), batch_size):
        rows = features[start : start + batch_size]
        part = _partial_sq_dists(rows, features, sq)
        # The k+1 smallest include the point itself (distance 0), so the last of them is the k-th neighbour;
        # with duplicates the value is the same whichever copy is treated as "self".
        kth = part.topk(k + 1, dim=1, largest=False).values[:, k]
        out.append((kth + rows.pow(2).sum(1)).clamp_(min=0.0))
    return torch.cat(out)


def knn_radii(features: Tensor, k: int = 3, batch_size: int = 1000) -> Tensor:
    """Distance from each row of `features` (N × D) to its k-th nearest other row: the radii of its manifold balls."""
    features = _check_features(features, "features")
    _check_positive(k, "k")
    _check_positive(batch_size, "batch_size")
    if len(features) <= k:
        raise ConfigError(f"need more than k={k} feature vectors to find k neighbours, got {len(features)}")
    return _knn_sq_radii(features, k, batch_size).sqrt()


def _coverage_sq(query: Tensor, reference: Tensor, sq_radii: Tensor, batch_size: int) -> Tensor:
    # ||q||² + ||r_j||² - 2 q·r_j <= radius_j²  <=>  min_j (||r_j||² - radius_j² - 2 q·r_j) <= -||q||²
    bias = reference.pow(2).sum(1) - sq_radii
    out = []
    for start in range(0, len(query), batch_size):
        rows = query[start : start + batch_size]
        out.append(_partial_sq_dists(rows, reference, bias).amin(1) <= -rows.pow(2).sum(1))
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.bool)


def _check_pair(a: Tensor, b: Tensor, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    a, b = _check_features(a, names[0]), _check_features(b, names[1])
    if a.shape[1] != b.shape[1]:
        raise ConfigError(
            f"{names[0]} has {a.shape[1]} features per row but {names[1]} has {b.shape[1]}; "
            "extract both with the same feature extractor"
        )
    dtype = torch.promote_types(a.dtype, b.dtype)
    return a.to(dtype), b.to(dtype)


def manifold_coverage(query: Tensor, reference: Tensor, radii: Tensor, batch_size: int = 1000) -> Tensor:
    """Whether each query row lies in some ball (reference[j], radii[j]); a bool tensor of length len(query)."""
    query, reference = _check_pair(query, reference, ("query", "reference"))
    _check_positive(batch_size, "batch_size")
    if not isinstance(radii, Tensor) or radii.shape != (len(reference),):
        shape = tuple(radii.shape) if isinstance(radii, Tensor) else type(radii).__name__
        raise ConfigError(f"radii must have one entry per reference row ({len(reference)}), got shape {shape}")
    radii = radii.to(reference.dtype)
    return _coverage_sq(query, reference, radii * radii, batch_size)


def precision_recall(real: Tensor, fake: Tensor, k: int = 3, batch_size: int = 1000) -> dict[str, float]:
    """{"precision": share of fake inside the real manifold, "recall": share of real inside the fake manifold}."""
    real, fake = _check_pair(real, fake, ("real", "fake"))
    _check_positive(k, "k")
    _check_positive(batch_size, "batch_size")
    for name, x in (("real", real), ("fake", fake)):
        if len(x) <= k:
            raise ConfigError(f"{name} needs more than k={k} samples to estimate its manifold, got {len(x)}")
    real_r2 = _knn_sq_radii(real, k, batch_size)
    fake_r2 = _knn_sq_radii(fake, k, batch_size)
    precision = _coverage_sq(fake, real, real_r2, batch_size).double().mean().item()
    recall = _coverage_sq(real, fake, fake_r2, batch_size).double().mean().item()
    return {"precision": precision, "recall": recall}
