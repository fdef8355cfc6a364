import pytest
import torch

import zerosum
from zerosum.errors import ConfigError
from zerosum.latent.interpolate import (
    generate,
    interpolate,
    lerp,
    path_points,
    random_pairs,
    row_labels,
    seed_z,
    segment,
    slerp,
    walk,
)


def _pair(nz=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(nz, generator=g), torch.randn(nz, generator=g)


@pytest.mark.parametrize("fn", [lerp, slerp])
def test_ends_are_the_inputs_exactly(fn):
    z0, z1 = _pair()
    assert torch.equal(fn(z0, z1, 0.0), z0) and torch.equal(fn(z0, z1, 1.0), z1)
    path = fn(z0, z1, torch.linspace(0, 1, 7))
    assert path.shape == (7, 16)
    assert torch.equal(path[0], z0) and torch.equal(path[-1], z1)


def test_lerp_is_the_straight_line():
    z0, z1 = _pair()
    assert torch.allclose(lerp(z0, z1, 0.5), (z0 + z1) / 2, atol=1e-6)
    assert torch.allclose(lerp(z0, z1, 0.25), 0.75 * z0 + 0.25 * z1, atol=1e-6)


def test_slerp_keeps_the_norm_on_the_great_circle():
    z0, z1 = _pair(32)
    z1 = z1 * (z0.norm() / z1.norm())  # equal norms
    t = torch.linspace(0, 1, 11)
    path = slerp(z0, z1, t).double()
    assert torch.allclose(path.norm(dim=1), z0.double().norm().expand(11), rtol=1e-6)
    # on the circle: inside span{z0, z1}, at angle t·ω from z0
    basis, _ = torch.linalg.qr(torch.stack([z0, z1], 1).double())
    residual = path - (path @ basis) @ basis.T
    assert residual.abs().max() < 1e-5
    unit = lambda v: v / v.norm(dim=-1, keepdim=True)  # noqa: E731
    omega = torch.arccos((unit(z0.double()) * unit(z1.double())).sum())
    angles = torch.arccos((unit(path) * unit(z0.double())).sum(1).clamp(-1, 1))
    assert torch.allclose(angles, t.double() * omega, atol=1e-5)
    # and not the straight line, whose middle has a smaller norm
    assert lerp(z0, z1, 0.5).norm() < slerp(z0, z1, 0.5).norm() - 1e-3


@pytest.mark.parametrize("factor", [2.0, -1.0, 1.0])
def test_slerp_falls_back_to_lerp_for_parallel_vectors(factor):
    z0, _ = _pair()
    z1 = z0 * factor
    t = torch.linspace(0, 1, 5)
    out = slerp(z0, z1, t)
    assert torch.isfinite(out).all() and torch.allclose(out, lerp(z0, z1, t))


def test_path_through_three_points():
    points = torch.randn(3, 8, generator=torch.Generator().manual_seed(1))
    path = path_points(points, steps=5)
    assert path.shape == ((3 - 1) * (5 - 1) + 1, 8)
    for i in range(3):
        assert torch.equal(path[i * 4], points[i])
    assert len(path_points(points, 5, "slerp")) == 9


def test_bad_walks_are_config_errors():
    z0, z1 = _pair()
    with pytest.raises(ConfigError, match="--steps"):
        segment(z0, z1, 1)
    with pytest.raises(ConfigError, match="mode"):
        segment(z0, z1, 4, "cubic")
    with pytest.raises(ConfigError, match="at least 2"):
        path_points(z0[None], 4)


def test_interpolate_rows_start_and_end_at_G_of_the_pair(tiny_run):
    run = zerosum.load_run(tiny_run)
    pairs = random_pairs(run, 2, seed=5)
    rows = interpolate(run, pairs, steps=6, mode="slerp")
    assert rows.shape == (2, 6, 1, 16, 16)
    ends = generate(run, pairs.reshape(4, -1)).reshape(2, 2, 1, 16, 16)
    assert torch.allclose(rows[:, 0], ends[:, 0], atol=1e-6) and torch.allclose(rows[:, -1], ends[:, 1], atol=1e-6)
    assert not torch.allclose(rows[:, 1], rows[:, 0])  # the middle moves


def test_walk_and_seed_points(tiny_run):
    run = zerosum.load_run(tiny_run)
    z = seed_z(run, [3, 4, 5])
    assert torch.equal(z[0], run.generator.sample_z(1, generator=torch.Generator().manual_seed(3))[0])
    images = walk(run, z, steps=4)
    assert images.shape == (7, 1, 16, 16)
    assert torch.allclose(images[3], generate(run, z[1:2])[0], atol=1e-6)
    assert row_labels(run, 3) is None
    with pytest.raises(ConfigError, match="--pairs"):
        random_pairs(run, 0, 0)
