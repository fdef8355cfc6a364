"""Directions to slide along: single coordinates, and G's output's principal directions mapped into z."""

from __future__ import annotations

import pytest
import torch

import zerosum
from zerosum.errors import ConfigError
from zerosum.latent.directions import coordinate_direction, principal_directions
from zerosum.sampling import generate


def test_a_coordinate_is_a_unit_vector():
    assert coordinate_direction(4, 2).tolist() == [0.0, 0.0, 1.0, 0.0]
    with pytest.raises(ConfigError, match="0..3"):
        coordinate_direction(4, 4)


def test_the_first_principal_direction_moves_the_output_most(tiny_run):
    run = zerosum.load_run(tiny_run)
    d, share = principal_directions(run, k=3, n=256)
    assert d.shape == (3, 8) and torch.allclose(d.norm(dim=1), torch.ones(3), atol=1e-5)
    assert share[0] >= share[1] >= share[2] > 0
    z = run.generator.sample_z(64, generator=torch.Generator().manual_seed(1))
    base = generate(run, z)

    def change(direction: torch.Tensor) -> float:
        return float((generate(run, z + 2.0 * direction) - base).pow(2).mean())

    randoms = torch.randn(16, 8, generator=torch.Generator().manual_seed(2))
    randoms = randoms / randoms.norm(dim=1, keepdim=True)
    assert change(d[0]) > sorted(change(r) for r in randoms)[8]  # more than the median random direction
    assert principal_directions(run, k=3, n=256)[0].equal(d)  # seeded


def test_principal_directions_are_bounded(tiny_run):
    run = zerosum.load_run(tiny_run)
    with pytest.raises(ConfigError, match="1 to 16"):
        principal_directions(run, k=17)
    with pytest.raises(ConfigError, match="more samples"):
        principal_directions(run, k=2, n=8)
