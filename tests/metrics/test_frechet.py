"""Fréchet distance and KID against closed forms, scipy's sqrtm and a brute-force numpy KID."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch

from zerosum.errors import ConfigError
from zerosum.metrics.frechet import feature_stats, frechet_distance, kid


def _random_cov(d: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def test_feature_stats_match_numpy_unbiased():
    x = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    mu, sigma = feature_stats(x.float())
    assert mu.dtype == sigma.dtype == torch.float64
    np.testing.assert_allclose(mu.numpy(), x.double().numpy().mean(0), atol=1e-12)
    np.testing.assert_allclose(sigma.numpy(), np.cov(x.double().numpy(), rowvar=False, ddof=1), atol=1e-12)


def test_diagonal_gaussians_closed_form():
    # For diagonal covariances the distance separates per dimension: (m1-m2)^2 + (s1 - s2)^2 with s = std.
    mu1, mu2 = torch.tensor([0.0, 1.0, -2.0]), torch.tensor([1.0, 1.0, 0.5])
    v1, v2 = torch.tensor([1.0, 4.0, 0.25]), torch.tensor([9.0, 1.0, 0.25])
    expected = ((mu1 - mu2) ** 2).sum() + ((v1.sqrt() - v2.sqrt()) ** 2).sum()
    assert frechet_distance(mu1, torch.diag(v1), mu2, torch.diag(v2)) == pytest.approx(expected.item(), abs=1e-10)


def test_full_covariance_matches_scipy_sqrtm():
    d = 6
    s1, s2 = _random_cov(d, 1), _random_cov(d, 2)
    mu1, mu2 = np.arange(d, dtype=float), np.linspace(-1, 1, d)
    reference = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    got = frechet_distance(*(torch.from_numpy(a) for a in (mu1, s1, mu2, s2)))
    assert got == pytest.approx(reference, rel=1e-9)
    assert got == pytest.approx(frechet_distance(*(torch.from_numpy(a) for a in (mu2, s2, mu1, s1))), rel=1e-12)


def test_set_to_itself_is_zero_even_rank_deficient():
    x = torch.randn(20, 32, generator=torch.Generator().manual_seed(3))  # N < D: singular covariance
    mu, sigma = feature_stats(x)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-6
    y = x + 0.5
    assert frechet_distance(mu, sigma, *feature_stats(y)) == pytest.approx(32 * 0.25, rel=1e-6)


def test_shape_mismatch_is_config_error():
    with pytest.raises(ConfigError, match="covariances"):
        frechet_distance(torch.zeros(3), torch.eye(3), torch.zeros(2), torch.eye(2))
    with pytest.raises(ConfigError):
        feature_stats(torch.zeros(1, 3))


def _kid_bruteforce(x: np.ndarray, y: np.ndarray) -> float:
    m, d = len(x), x.shape[1]
    k = lambda a, b: (a @ b / d + 1) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_kid_equals_bruteforce_on_full_subset():
    g = torch.Generator().manual_seed(4)
    a, b = torch.randn(7, 3, generator=g), torch.randn(7, 3, generator=g) + 0.3
    mean, std = kid(a, b, n_subsets=3, subset_size=100, generator=g)  # capped to 7: every subset is the whole set
    assert mean == pytest.approx(_kid_bruteforce(a.double().numpy(), b.double().numpy()), rel=1e-10)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_kid_same_vs_shifted_distribution_and_determinism():
    g = torch.Generator().manual_seed(5)
    a, b = torch.randn(400, 16, generator=g), torch.randn(400, 16, generator=g)
    same, _ = kid(a, b, n_subsets=10, subset_size=200, generator=torch.Generator().manual_seed(0))
    shifted, _ = kid(a, b + 1.0, n_subsets=10, subset_size=200, generator=torch.Generator().manual_seed(0))
    assert abs(same) < 0.05
    assert shifted > 1.0
    again = kid(a, b, n_subsets=10, subset_size=200, generator=torch.Generator().manual_seed(0))
    assert again == kid(a, b, n_subsets=10, subset_size=200, generator=torch.Generator().manual_seed(0))
    assert again[0] == same


def test_kid_rejects_mismatched_widths():
    with pytest.raises(ConfigError, match="width"):
        kid(torch.zeros(5, 3), torch.zeros(5, 4))
