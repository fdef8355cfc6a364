"""The lab's toy trainings: the trainer's own step, settings checked like a config, views the page can draw."""

from __future__ import annotations

import math

import pytest
import torch

from zerosum.errors import ConfigError
from zerosum.lab import LabSettings, ToyLab
from zerosum.lab.views import ARROWS, BINS, MAP, POINTS, Views


@pytest.fixture(scope="module")
def ring():
    return ToyLab(LabSettings(data="ring-8", batch=64))


def test_the_lab_trains_with_the_trainers_step(ring):
    before = [p.detach().clone() for p in ring.state.G.parameters()]
    stats = ring.step(3)
    assert ring.steps == 3 and {"loss_d", "loss_g", "d_real", "d_fake", "updates_per_s"} <= set(stats)
    assert any(not torch.equal(a, b) for a, b in zip(before, ring.state.G.parameters(), strict=True))
    with pytest.raises(ConfigError, match="1 to 100 updates"):
        ring.step(101)


def test_same_settings_train_the_same_way():
    a, b = ToyLab(LabSettings(data="ring-8", batch=32, seed=5)), ToyLab(LabSettings(data="ring-8", batch=32, seed=5))
    assert a.step(4) | {"updates_per_s": 0} == b.step(4) | {"updates_per_s": 0}


def test_objective_settings_apply_live_and_problem_settings_start_again():
    lab = ToyLab(LabSettings(data="toy-1d", batch=32))
    lab.step(2)
    assert lab.configure(loss="minimax", k=3, lr_d=1e-4) is False
    assert lab.steps == 2 and lab.cfg.train.d_steps == 3 and lab.loss.name == "minimax"
    lab.step(1)
    assert lab.last["lr_d"] == pytest.approx(1e-4)
    assert lab.configure(pack=4) is True and lab.steps == 0 and lab.state.D.pack == 4


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"k": 0}, "k 0"),
        ({"k": 2.5}, "whole number"),
        ({"lr_g": 1.0}, "learning rate"),
        ({"data": "cifar10"}, "the lab trains"),
        ({"loss": "wasserstein"}, "choose one of"),
        ({"batch": 30, "pack": 4}, "multiple of pack"),
        ({"update": "simultaneous", "k": 2}, "set k to 1"),
        ({"colour": "red"}, "unknown lab setting"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(ring, change, words):
    before = ring.settings
    with pytest.raises(ConfigError, match=words):
        ring.configure(**change)
    assert ring.settings == before


def test_views_of_the_ring(ring):
    views = Views(ring)
    fixed, frame = views.static(), views.frame()
    assert fixed["dim"] == 2 and len(fixed["real"]) == POINTS and fixed["lo"] < -1 < 1 < fixed["hi"]
    assert len(frame["fake"]) == POINTS and len(frame["field"]) == ARROWS and len(frame["dmap"]) == MAP * MAP
    assert all(0 <= d <= 1 for d in frame["dmap"])
    ring.step(5)
    assert views.frame()["fake"] != frame["fake"]  # the same noise, a changed G


def test_the_gradient_field_points_where_d_says_real(ring):
    """−∂L_G/∂x moves a generated point up D's logit: a small step along it raises D there."""
    views = Views(ring)
    points = torch.tensor(views.frame()["fake"][:ARROWS])
    field = views.field(points)
    from zerosum.lab.views import d_logits

    D = ring.state.D
    D.eval()
    with torch.no_grad():
        step = 1e-3 * field / field.norm(dim=1, keepdim=True).clamp(min=1e-12)
        gain = d_logits(D, points + step) - d_logits(D, points)
    D.train()
    moving = field.norm(dim=1) > 1e-6
    assert (gain[moving] > 0).float().mean() > 0.9


def test_views_of_the_1d_toy():
    lab = ToyLab(LabSettings(data="toy-1d", batch=64))
    views = Views(lab)
    fixed = views.static()
    frame = views.frame()
    assert fixed["dim"] == 1 and len(fixed["x"]) == BINS == len(frame["p_g"]) == len(frame["d"])
    width = (fixed["hi"] - fixed["lo"]) / BINS
    assert sum(fixed["p_data"]) * width == pytest.approx(1.0, abs=0.02)  # a density: N(4, 0.5) lies inside
    assert all(0 <= d <= 1 for d in frame["d"]) and len(frame["z_map"]) == len(frame["x_map"])
    assert not any(math.isnan(v) for v in frame["p_g"])
