"""Discriminator rejection sampling: with the optimal D it turns p_g into p_data; a packed D scores through
companions; calibration brings a useless D close to the optimal one; sampling with it is reproducible."""

import pytest
import torch
from torch import nn

import zerosum
from zerosum import make_config
from zerosum.config import SampleConfig
from zerosum.errors import ConfigError
from zerosum.rejection import calibrated_discriminator, rejection_sample


class _Identity(nn.Module):
    """G(z) = z with z ~ N(0, 1) in 1-D: p_g = N(0, 1)."""

    out_shape = (1,)
    output_range = None

    def sample_z(self, n, generator=None):
        return torch.randn(n, 1, generator=generator)

    def forward(self, z, y=None):
        return z


class _Optimal(nn.Module):
    """The optimal D of p_data = N(1, 1) against p_g = N(0, 1): logit log p_data − log p_g = x − 1/2 per member,
    summed over a packed group (the optimal packed D)."""

    def __init__(self, pack: int = 1) -> None:
        super().__init__()
        self.pack = pack

    def forward(self, x, y=None):
        return (x.view(-1, self.pack) - 0.5).sum(1)


def _accepted(D, n=20_000):
    cfg = SampleConfig(rejection="drs", drs_quantile=1.0, drs_burn_in=20_000)
    G = _Identity()
    x, z = rejection_sample(G, D, n, torch.Generator().manual_seed(0), cfg, torch.device("cpu"), G)
    assert x.shape == (n, 1) and torch.equal(x, z)
    return x


@pytest.mark.parametrize("pack", [1, 3])
def test_with_the_optimal_d_the_accepted_samples_follow_p_data(pack):
    x = _accepted(_Optimal(pack))
    assert x.mean().item() == pytest.approx(1.0, abs=0.05)  # N(0, 1) · e^x ∝ N(1, 1)
    assert x.std().item() == pytest.approx(1.0, abs=0.05)


class _Points:
    """data with `batch` and `len`, drawn from N(1, 1)."""

    def __init__(self) -> None:
        self.points = torch.randn(50_000, 1, generator=torch.Generator().manual_seed(1)) + 1

    def __len__(self):
        return len(self.points)

    def batch(self, idx, value_range=None, device=None):
        return self.points[idx]


def test_calibration_trains_a_useless_d_towards_the_optimal_one():
    D = nn.Sequential(nn.Linear(1, 1), nn.Flatten(0))
    nn.init.zeros_(D[0].weight)
    nn.init.zeros_(D[0].bias)
    cfg = SampleConfig(rejection="drs", drs_calibrate_steps=400, drs_calibrate_lr=0.05)
    critic = calibrated_discriminator(_Identity(), D, _Points(), cfg, torch.device("cpu"))
    assert critic is not D and torch.all(D[0].weight == 0)  # a copy: the run's D is untouched
    assert critic[0].weight.item() == pytest.approx(1.0, abs=0.2)  # the optimal logit is x − 1/2
    assert critic[0].bias.item() == pytest.approx(-0.5, abs=0.2)
    again = calibrated_discriminator(_Identity(), D, _Points(), cfg, torch.device("cpu"))
    assert torch.equal(again[0].weight, critic[0].weight)  # fixed seeds


def test_sampling_a_run_with_rejection_is_reproducible_and_differs_from_plain_sampling(tmp_path):
    tiny = ["model.g_hidden=[16]", "model.d_hidden=[8]", "train.batch_size=32", "train.steps=20",
            "train.progress=false", "train.tensorboard=false", "model.pack=2"]  # fmt: skip
    zerosum.train("ring-8", overrides=tiny, out=tmp_path / "plain")
    zerosum.train("ring-8", overrides=[*tiny, "sample.rejection=drs", "sample.drs_calibrate_steps=5",
                                       "sample.drs_burn_in=500"], out=tmp_path / "drs")  # fmt: skip
    plain = zerosum.sample(tmp_path / "plain", 300, seed=2).images
    a = zerosum.sample(tmp_path / "drs", 300, seed=2).images
    b = zerosum.sample(tmp_path / "drs", 300, seed=2).images
    assert a.shape == plain.shape == (300, 2)
    assert torch.equal(a, b) and not torch.equal(a, plain)


def test_rejection_is_refused_for_conditional_runs():
    with pytest.raises(ConfigError, match="unconditional"):
        make_config("dcgan-mnist", ["model.conditional=true", "sample.rejection=drs"])
