"""Mode-coverage protocols: known sample sets give known counts."""

import math

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.toy import grid_modes, ring_modes
from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics import coverage
from zerosum.metrics.registry import EvalContext, get_metric


def _ctx(samples: torch.Tensor, name: str, **params) -> tuple[EvalContext, list[int]]:
    """A context whose draw hands out `samples` (cycled to n) and records each n asked for."""
    asked: list[int] = []

    def draw(n: int, seed: int) -> torch.Tensor:
        asked.append(n)
        return samples[torch.arange(n) % len(samples)]

    return EvalContext(draw=draw, data=DataConfig(name=name, params=params)), asked


def _compute(metric: str, ctx: EvalContext) -> dict:
    return get_metric(metric, ctx.dataset).compute(ctx)


def test_exact_means_capture_every_mode():
    ring = _compute("modes_ring8", _ctx(ring_modes(8, 1.0), "ring-8")[0])
    assert (ring["value"], ring["n_modes"], ring["high_quality"], ring["n_samples"]) == (8, 8, 1.0, 2500)
    assert 0 <= ring["kl"] < 1e-4  # 2,500 over 8 modes: 313 or 312 each
    grid = _compute("modes_grid25", _ctx(grid_modes(5, 2.0), "grid-25")[0])
    assert (grid["value"], grid["n_modes"], grid["high_quality"], grid["kl"]) == (25, 25, 1.0, 0.0)


def test_collapse_onto_one_mode():
    near = grid_modes(5, 2.0)[7] + 0.01 * torch.randn(50, 2, generator=torch.Generator().manual_seed(0))
    result = _compute("modes_grid25", _ctx(near, "grid-25")[0])
    assert result["value"] == 1 and result["high_quality"] == 1.0
    assert result["kl"] == pytest.approx(math.log(25))


def test_points_off_every_mode_are_not_high_quality():
    between = ring_modes(8, 1.0) * 0.5  # halfway to the centre: 50 std from every mode
    result = _compute("modes_ring8", _ctx(between, "ring-8")[0])
    assert result["value"] == 0 and result["high_quality"] == 0.0 and math.isnan(result["kl"])


def test_modes_come_from_the_runs_data_params():
    wide = ring_modes(8, 2.0)
    assert _compute("modes_ring8", _ctx(wide, "ring-8", radius=2.0)[0])["value"] == 8
    assert _compute("modes_ring8", _ctx(wide, "ring-8")[0])["value"] == 0
    # A wider std turns points 0.2 off the means into high-quality ones.
    off = ring_modes(8, 1.0) + 0.2
    assert _compute("modes_ring8", _ctx(off, "ring-8")[0])["high_quality"] == 0.0
    assert _compute("modes_ring8", _ctx(off, "ring-8", std=0.1)[0])["high_quality"] == 1.0


def test_sample_count_is_the_protocol_and_samples_are_drawn_once(monkeypatch):
    ctx, asked = _ctx(ring_modes(8, 1.0), "ring-8")
    _compute("modes_ring8", ctx)
    _compute("modes_ring8", ctx)
    assert asked == [2500]
    monkeypatch.setattr(coverage, "N_TOY_SAMPLES", 16)
    assert _compute("modes_ring8", _ctx(ring_modes(8, 1.0), "ring-8")[0])["n_samples"] == 16


def test_protocols_are_bound_to_their_datasets():
    with pytest.raises(ConfigError, match="modes_ring8 is defined for ring-8"):
        get_metric("modes_ring8", "grid-25")
    with pytest.raises(ConfigError, match="stacked-mnist"):
        get_metric("modes_stacked_mnist", "mnist")
    for name in ("modes_ring8", "modes_grid25", "modes_stacked_mnist"):
        metric = get_metric(name)
        assert metric.higher_is_better and "PacGAN" in metric.comparable
    assert "not digit for digit" in get_metric("modes_stacked_mnist").comparable


@pytest.fixture
def stacked(monkeypatch, quick_classifier):
    monkeypatch.setattr(clf, "get_classifier", lambda dataset: quick_classifier)
    monkeypatch.setattr(coverage, "N_STACKED_SAMPLES", 2000)
    return get_metric("modes_stacked_mnist", "stacked-mnist")


def test_real_stacked_images_cover_many_modes(stacked):
    real = load_dataset(DataConfig(name="stacked-mnist", split="test", params={"seed": 3}, limit=2000))
    result = stacked.compute(_ctx(real.images.float() / 255, "stacked-mnist")[0])
    true_modes = real.labels.unique().numel()  # ~865 of 1,000 for 2,000 uniform draws
    assert result["n_samples"] == 2000 and result["n_modes"] == 1000
    assert 0.85 * true_modes < result["value"] <= 1000 and result["kl"] < 0.5


def test_one_digit_in_every_channel_is_one_mode(stacked, monkeypatch):
    monkeypatch.setattr(coverage, "N_STACKED_SAMPLES", 300)
    seven = clf.load_split("mnist", "test")[0][0].float() / 255  # 1×28×28
    result = stacked.compute(_ctx(seven.expand(3, -1, -1)[None], "stacked-mnist")[0])
    assert (result["value"], result["n_samples"]) == (1, 300) and result["kl"] == pytest.approx(math.log(1000))


def test_wrong_sample_shape_is_a_config_error(stacked):
    gray = torch.zeros(4, 1, 28, 28)
    with pytest.raises(ConfigError, match=r"needs 28×28 RGB samples, got 28×28 gray"):
        stacked.compute(_ctx(gray, "stacked-mnist")[0])
