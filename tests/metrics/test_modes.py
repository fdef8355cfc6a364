"""Mode-coverage statistics (VEEGAN/PacGAN protocol) on constructed samples with known answers."""

from __future__ import annotations

import math

import pytest
import torch

from zerosum.data.toy import load_toy
from zerosum.errors import ConfigError
from zerosum.metrics.modes import grid_modes, mode_stats, ring_modes, stacked_mode_stats

RING = ring_modes(8, 1.0)
GRID = grid_modes(5, 2.0)


def test_means_are_the_toy_datasets() -> None:
    assert RING.shape == (8, 2) and GRID.shape == (25, 2)
    torch.testing.assert_close(RING[2], torch.tensor([0.0, 1.0]), atol=1e-6, rtol=0)
    assert sorted(set(GRID[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert torch.equal(load_toy("grid-25", {"n": 25}).modes, GRID)


@pytest.mark.parametrize(("means", "std"), [(RING, 0.01), (GRID, 0.05)])
def test_all_modes_equally_hit(means: torch.Tensor, std: float) -> None:
    samples = means.repeat(40, 1) + std * 0.5  # every sample 0.71 std away from its mode
    out = mode_stats(samples, means, std)
    assert out == {"modes": len(means), "n_modes": len(means), "high_quality": 1.0, "kl": 0.0}


def test_real_data_captures_everything() -> None:
    data = load_toy("ring-8", {"n": 4000})
    out = mode_stats(data.points, data.modes, data.std)
    assert out["modes"] == 8
    assert out["high_quality"] > 0.98  # 3 std in 2-D holds ~98.9% of the mass
    assert out["kl"] < 1e-3


@pytest.mark.parametrize(("means", "std"), [(RING, 0.01), (GRID, 0.05)])
def test_one_mode_only(means: torch.Tensor, std: float) -> None:
    samples = means[3].repeat(500, 1)
    out = mode_stats(samples, means, std)
    assert out["modes"] == 1
    assert out["high_quality"] == 1.0
    assert out["kl"] == pytest.approx(math.log(len(means)), rel=1e-12)


def test_off_mode_samples_are_low_quality() -> None:
    samples = torch.tensor([[0.0, 0.0], [0.5, 0.5], [10.0, -10.0]]).repeat(20, 1)  # all far (>= 0.7) from the ring
    out = mode_stats(samples, RING, 0.01)
    assert out["modes"] == 0 and out["high_quality"] == 0.0
    assert math.isnan(out["kl"])


def test_three_std_threshold_and_mixed_quality() -> None:
    std = 0.05
    inside = GRID[0] + torch.tensor([2.9 * std, 0.0])
    outside = GRID[1] + torch.tensor([0.0, 3.1 * std])
    out = mode_stats(torch.stack([inside, inside, inside, outside]), GRID, std)
    assert out["modes"] == 1 and out["high_quality"] == 0.75


def test_known_kl_for_an_uneven_histogram() -> None:
    # 3 samples on mode 0, 1 on mode 1, none elsewhere of 8: p = (3/4, 1/4).
    samples = RING[[0, 0, 0, 1]]
    expected = 0.75 * math.log(0.75 * 8) + 0.25 * math.log(0.25 * 8)
    assert mode_stats(samples, RING, 0.01)["kl"] == pytest.approx(expected, rel=1e-12)


def test_min_count_is_respected() -> None:
    samples = GRID[[0] * 5 + [1] * 2 + [2]]
    assert mode_stats(samples, GRID, 0.05, min_count=1)["modes"] == 3
    assert mode_stats(samples, GRID, 0.05, min_count=2)["modes"] == 2
    assert mode_stats(samples, GRID, 0.05, min_count=5)["modes"] == 1
    assert mode_stats(samples, GRID, 0.05, min_count=6)["modes"] == 0


def test_nan_samples_count_as_low_quality() -> None:
    samples = torch.cat([RING[:4], torch.full((4, 2), float("nan"))])
    out = mode_stats(samples, RING, 0.01)
    assert out["modes"] == 4 and out["high_quality"] == 0.5


@pytest.mark.parametrize(
    ("samples", "means", "std", "min_count", "match"),
    [
        (torch.zeros(5), RING, 0.01, 1, "samples must be"),
        (torch.zeros(0, 2), RING, 0.01, 1, "samples must be"),
        (torch.zeros(5, 3), RING, 0.01, 1, "3-D but the mixture means are 2-D"),
        (torch.zeros(5, 2), RING, 0.0, 1, "std must be"),
        (torch.zeros(5, 2), RING, 0.01, 0, "min_count"),
        (torch.zeros(5, 2), torch.zeros(2), 0.01, 1, "means must be"),
    ],
)
def test_mode_stats_validation(samples, means, std, min_count, match) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        mode_stats(samples, means, std, min_count=min_count)
    assert "\n" not in str(info.value)


def test_stacked_all_modes_equally_hit() -> None:
    idx = torch.arange(1000).repeat(3)
    preds = torch.stack([idx // 100, idx // 10 % 10, idx % 10], 1)
    assert stacked_mode_stats(preds) == {"modes": 1000, "n_modes": 1000, "kl": 0.0}


def test_stacked_constructed_counts() -> None:
    # Mode 123 twice, mode 907 once, mode 0 once: 3 modes, p = (1/2, 1/4, 1/4).
    preds = torch.tensor([[1, 2, 3], [1, 2, 3], [9, 0, 7], [0, 0, 0]], dtype=torch.int32)
    out = stacked_mode_stats(preds)
    expected = 0.5 * math.log(500) + 2 * 0.25 * math.log(250)
    assert out["modes"] == 3 and out["n_modes"] == 1000
    assert out["kl"] == pytest.approx(expected, rel=1e-12)
    assert stacked_mode_stats(preds, min_count=2)["modes"] == 1


def test_stacked_single_mode_kl_is_log_1000() -> None:
    out = stacked_mode_stats(torch.full((26, 3), 4))
    assert out["modes"] == 1
    assert out["kl"] == pytest.approx(math.log(1000), rel=1e-12)


@pytest.mark.parametrize(
    ("preds", "match"),
    [
        (torch.zeros(5, 2, dtype=torch.long), "N × 3"),
        (torch.zeros(5, 3), "integer digits"),
        (torch.tensor([[0, 1, 10]]), "0..9"),
        (torch.tensor([[0, -1, 1]]), "0..9"),
    ],
)
def test_stacked_validation(preds: torch.Tensor, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        stacked_mode_stats(preds)
