"""Parzen-window log-likelihood: exact against two independent references, chunk-invariant, protocol as in the paper."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp

from zerosum.config import DataConfig
from zerosum.errors import ConfigError
from zerosum.metrics import parzen
from zerosum.metrics.parzen import default_sigmas, parzen_log_likelihood, parzen_protocol, select_sigma
from zerosum.metrics.reference import real_images
from zerosum.metrics.registry import EvalContext, get_metric


def _data(n: int, m: int, d: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, d, generator=g), torch.rand(m, d, generator=g)


def _numpy_reference(samples: np.ndarray, points: np.ndarray, sigma: float) -> np.ndarray:
    """Direct (M, N, D) differences, no matmul trick, scipy's logsumexp: shares no code path with the module."""
    s, x = samples.astype(np.float64), points.astype(np.float64)
    d2 = ((x[:, None, :] - s[None, :, :]) ** 2).sum(-1)
    n, d = s.shape
    return logsumexp(-d2 / (2 * sigma**2), axis=1) - math.log(n) - d / 2 * math.log(2 * math.pi * sigma**2)


@pytest.mark.parametrize("sigma", [0.1, 0.3, 1.0])
def test_matches_numpy_reference(sigma):
    samples, points = _data(70, 33, 20)
    got = parzen_log_likelihood(samples, points, sigma)
    assert got.dtype == torch.float64 and got.shape == (33,)
    np.testing.assert_allclose(got.numpy(), _numpy_reference(samples.numpy(), points.numpy(), sigma), rtol=0, atol=1e-6)


@pytest.mark.parametrize("sigma", [0.1, 0.5])
def test_matches_sklearn_kernel_density(sigma):
    # leaf_size >= N keeps every sample in one leaf, so scikit-learn sums all kernels exactly: with its default
    # tree its node-bound pruning returns scores tens of nats too high at small sigma (scikit-learn issue #25799).
    sklearn_neighbors = pytest.importorskip("sklearn.neighbors")
    samples, points = _data(90, 25, 49, seed=1)
    kde = sklearn_neighbors.KernelDensity(kernel="gaussian", bandwidth=sigma, leaf_size=len(samples))
    expected = kde.fit(samples.double().numpy()).score_samples(points.double().numpy())
    got = parzen_log_likelihood(samples, points, sigma).numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_far_points_do_not_underflow_to_minus_infinity():
    # At sigma = 0.1 in 784-d every kernel value underflows exp(); the log-sum-exp must still be finite and exact.
    samples, points = _data(50, 10, 784, seed=2)
    got = parzen_log_likelihood(samples, points, 0.1)
    assert torch.isfinite(got).all()
    np.testing.assert_allclose(got.numpy(), _numpy_reference(samples.numpy(), points.numpy(), 0.1), rtol=1e-9)


def test_chunking_does_not_change_the_result():
    samples, points = _data(103, 57, 30, seed=3)
    whole = parzen_log_likelihood(samples, points, 0.2, batch_size=10_000)
    for bs in (1, 7, 50, 103):
        torch.testing.assert_close(parzen_log_likelihood(samples, points, 0.2, batch_size=bs), whole, rtol=0, atol=1e-9)


def test_point_on_a_sample_gets_the_kernel_peak():
    # One sample, point exactly on it: log p = -(D/2) log(2 pi sigma^2), and the clamp keeps rounding from exceeding it.
    s = torch.full((1, 5), 0.3)
    got = parzen_log_likelihood(s, s.clone(), 0.5).item()
    assert got == pytest.approx(-2.5 * math.log(2 * math.pi * 0.25), abs=1e-12)


def test_select_sigma_agrees_with_brute_force_and_scores_every_sigma():
    samples, validation = _data(80, 40, 16, seed=4)
    grid = default_sigmas()
    best, scores = select_sigma(samples, validation, grid)
    brute = {s: float(_numpy_reference(samples.numpy(), validation.numpy(), s).mean()) for s in grid.tolist()}
    assert list(scores) == list(brute)
    for s in brute:
        assert scores[s] == pytest.approx(brute[s], abs=1e-6)
    assert best == max(brute, key=brute.get)
    # This data set has an interior optimum, so the choice is a real one and not an edge of the grid.
    assert grid[0].item() < best < grid[-1].item()


def test_default_grid_is_the_papers():
    grid = default_sigmas()
    assert grid.numel() == 10
    assert grid[0].item() == pytest.approx(0.1) and grid[-1].item() == pytest.approx(1.0)
    assert torch.allclose(grid[1:] / grid[:-1], torch.full((9,), 10 ** (1 / 9), dtype=grid.dtype))


def test_protocol_flattens_images_and_reports_mean_and_standard_error():
    g = torch.Generator().manual_seed(5)
    samples = torch.rand(60, 1, 4, 4, generator=g)
    validation = torch.rand(20, 1, 4, 4, generator=g)
    test = torch.rand(31, 1, 4, 4, generator=g)
    sigmas = torch.tensor([0.05, 0.2, 0.8])
    result = parzen_protocol(samples, validation, test, sigmas)

    best, scores = select_sigma(samples.flatten(1), validation.flatten(1), sigmas)
    ll = _numpy_reference(samples.flatten(1).numpy(), test.flatten(1).numpy(), best)
    assert result["sigma"] == best and result["sigma_scores"] == scores
    assert result["value"] == pytest.approx(ll.mean(), abs=1e-6)
    assert result["stderr"] == pytest.approx(ll.std() / math.sqrt(31), rel=1e-6)  # numpy std: population (ddof=0)
    assert result["n_samples"] == 60 and result["n_test"] == 31


@pytest.mark.parametrize(
    ("samples", "points", "kwargs", "match"),
    [
        (torch.rand(5), torch.rand(3, 5), {}, "2-D"),
        (torch.rand(5, 4), torch.rand(3, 2, 2), {}, "2-D"),
        (torch.rand(0, 4), torch.rand(3, 4), {}, "empty"),
        (torch.rand(5, 4), torch.rand(0, 4), {}, "empty"),
        (torch.rand(5, 4), torch.rand(3, 6), {}, "features"),
        (torch.zeros(5, 4, dtype=torch.uint8), torch.rand(3, 4), {}, "dtype"),
        (torch.rand(5, 4), torch.rand(3, 4), {"sigma": 0.0}, "sigma"),
        (torch.rand(5, 4), torch.rand(3, 4), {"sigma": -1.0}, "sigma"),
        (torch.rand(5, 4), torch.rand(3, 4), {"sigma": float("nan")}, "sigma"),
        (torch.rand(5, 4), torch.rand(3, 4), {"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_inputs_raise_one_line_config_errors(samples, points, kwargs, match):
    kwargs = {"sigma": 0.2, **kwargs}
    with pytest.raises(ConfigError, match=match) as info:
        parzen_log_likelihood(samples, points, **kwargs)
    assert "\n" not in str(info.value)


def test_protocol_rejects_tanh_range_and_empty_grid():
    good = torch.rand(8, 1, 2, 2)
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        parzen_protocol(good * 2 - 1, good, good)
    with pytest.raises(ConfigError, match="grid is empty"):
        select_sigma(good.flatten(1), good.flatten(1), torch.tensor([]))


@pytest.fixture
def small_protocol(monkeypatch):
    monkeypatch.setattr(parzen, "N_SAMPLES", 300)
    return get_metric("parzen_mnist", "mnist")


def _ctx(images: torch.Tensor) -> EvalContext:
    return EvalContext(draw=lambda n, seed: images[:n], data=DataConfig(name="mnist"))


def test_registered_protocol_scores_training_digits_above_noise(small_protocol):
    digits = real_images(DataConfig(name="mnist"), "train", limit=300).float() / 255
    noise = torch.rand(300, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    real, fake = (small_protocol.compute(_ctx(x)) for x in (digits, noise))
    assert math.isfinite(real["value"]) and real["value"] > fake["value"] + 100
    assert real["n_samples"] == 300 and real["n_test"] == 10_000
    assert min(abs(real["sigma"] - s) for s in parzen.default_sigmas().tolist()) < 1e-12


def test_registered_protocol_refuses_other_shapes_and_datasets(small_protocol):
    with pytest.raises(ConfigError, match="needs 28×28 gray samples, got 32×32 RGB"):
        small_protocol.compute(_ctx(torch.rand(300, 3, 32, 32)))
    with pytest.raises(ConfigError, match="not for 'cifar10'"):
        get_metric("parzen_mnist", "cifar10")
