"""stacked-mnist end to end on a tiny run (built-in MNIST), with stand-ins for the LeNet-based protocol."""

from __future__ import annotations

import json
import math

import pytest
import torch

import zerosum.reproduce.stacked as stacked
from tests.fake_metrics import fake_metric
from zerosum.config import resolve
from zerosum.reproduce import reproduce

TINY = ["data.params.n=256", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8", "train.sample_every=1000"]


def _zeros(images01: torch.Tensor) -> torch.Tensor:
    """A reader that sees digit 0 everywhere: one mode, KL = log 1000."""
    return torch.zeros(len(images01), 3, dtype=torch.long)


def _run(tmp_path, modes: int, kl: float, **params) -> list[dict]:
    def compute(ctx):
        ctx.samples(8)
        return {"value": modes, "kl": kl, "n_samples": 26_000}

    with fake_metric("fake_stacked_modes", compute, datasets=("stacked-mnist",)):
        base = {"steps": 3, "overrides": ["model.pack=2", *TINY], "metric": "fake_stacked_modes"}
        reproduce("stacked-mnist", "fast", params={**base, **params}, out=tmp_path / "runs", docs=tmp_path / "docs",
                  force=True, quiet=True)  # fmt: skip
    return json.loads((tmp_path / "docs/results/stacked-mnist.json").read_text())["budgets"]["fast"]


def test_rows_targets_and_the_real_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(stacked, "_read_digits", _zeros)
    budget = _run(tmp_path, 1000, 0.04)
    modes, kl, real = budget["rows"]
    assert (modes["value"], modes["target"], modes["met"]) == ("1,000", "1,000", True)
    assert modes["anchor"] == "DCGAN 99 (VEEGAN table); PacDCGAN 1000"
    assert (kl["value"], kl["anchor"], kl["target"], kl["met"]) == ("0.040", "PacDCGAN 0.06", "≤ 0.05", True)
    assert real["value"] == f"1 modes, KL {math.log(1000):.3f}" and real["met"] is None
    assert "PacGAN packing 2" in budget["text"] and "about 0.019 at this count" in budget["text"]
    assert "pack: 2" in (tmp_path / "runs/fast/stacked-mnist/dcgan-stacked-mnist/config.yaml").read_text()
    assert (tmp_path / "docs/results/stacked-mnist/fast-samples.png").stat().st_size > 100


def test_missed_targets_are_reported_and_the_reference_is_optional(tmp_path):
    modes, kl = _run(tmp_path, 990, 0.2, real_reference=False)["rows"]
    assert modes["met"] is False and kl["met"] is False and kl["value"] == "0.200"


def test_real_reading_and_noise_floor(monkeypatch):
    monkeypatch.setattr(stacked, "_read_digits", _zeros)
    data = resolve("dcgan-stacked-mnist", ["data.params.n=64"]).data
    assert stacked.real_reading(data, 64) == {"modes": 1, "n_modes": 1000, "kl": pytest.approx(math.log(1000))}
    assert stacked._kl_noise_floor(26_000) == pytest.approx(0.0192, abs=1e-4)
