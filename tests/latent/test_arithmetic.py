import json

import numpy as np
import pytest
import torch

import zerosum
from zerosum.errors import ConfigError
from zerosum.latent.arithmetic import (
    along,
    combine,
    direction,
    explore_arithmetic,
    explore_direction,
    group_mean,
    noise_around,
)
from zerosum.sampling import generate


def _sheet_z(n=10, nz=8):
    return torch.randn(n, nz, generator=torch.Generator().manual_seed(7))


def test_single_ids_give_exactly_a_minus_b_plus_c():
    z = _sheet_z()
    assert torch.equal(group_mean(z, [3]), z[3])
    assert torch.equal(combine(z, [1], [2], [3]), z[1] - z[2] + z[3])


def test_groups_are_averaged_before_the_arithmetic():
    z = torch.zeros(9, 4)
    z[0:3, 0] = torch.tensor([1.0, 2.0, 3.0])  # mean A = 2·e0
    z[3:6, 1] = 4.0  # mean B = 4·e1
    z[6:9, 2] = torch.tensor([0.5, 1.0, 1.5])  # mean C = 1·e2
    assert torch.equal(combine(z, [0, 1, 2], [3, 4, 5], [6, 7, 8]), torch.tensor([2.0, -4.0, 1.0, 0.0]))
    assert torch.equal(direction(z, [0, 1, 2], [3, 4, 5]), torch.tensor([2.0, -4.0, 0.0, 0.0]))


def test_noise_neighbours_stay_within_the_scale_and_are_seeded():
    center = _sheet_z(1, 100)[0]
    near = noise_around(center, 8, 0.25, seed=3)
    assert near.shape == (8, 100)
    offset = near - center
    assert offset.abs().max() <= 0.25 + 1e-6 and offset.abs().max() > 0.2  # uses the whole range
    assert abs(float(offset.mean())) < 0.05  # centred
    assert torch.equal(near, noise_around(center, 8, 0.25, seed=3))
    assert not torch.equal(near, noise_around(center, 8, 0.25, seed=4))


def test_direction_at_strength_zero_is_the_base():
    z = _sheet_z()
    d = direction(z, [0, 1], [2])
    walked = along(z[5:8], d, [-1.0, 0.0, 2.0])
    assert walked.shape == (3, 3, 8)
    assert torch.equal(walked[:, 1], z[5:8])
    assert torch.allclose(walked[:, 2], z[5:8] + 2 * d)


def _write_sheet(path, z):
    np.savez(path, z=z.numpy())
    return path


def test_explore_arithmetic_with_a_hand_made_sheet(tiny_run, tmp_path):
    run = zerosum.load_run(tiny_run)
    z = _sheet_z(10, run.generator.nz)
    sheet = _write_sheet(tmp_path / "sheet.npz", z)
    rec = explore_arithmetic(run, sheet, [1], [2], [3], neighbours=4, seed=1, out=tmp_path / "a.png")
    assert torch.equal(torch.as_tensor(rec["result_z"]), z[1] - z[2] + z[3])
    saved = json.loads((tmp_path / "a.json").read_text())
    assert saved["a"] == [1] and saved["noise"] == 0.25 and saved["neighbours"] == 4
    assert np.allclose(saved["result_z"], (z[1] - z[2] + z[3]).numpy())
    assert saved["mean_norms"]["A"] == pytest.approx(float(z[1].norm()))
    assert (tmp_path / "a.png").stat().st_size > 200


def test_explore_direction_rows_and_record(tiny_run, tmp_path):
    run = zerosum.load_run(tiny_run)
    z = _sheet_z(10, run.generator.nz)
    sheet = _write_sheet(tmp_path / "sheet.npz", z)
    rec = explore_direction(run, sheet, [0, 1], [2, 3], strengths=[-1, 0, 1], base_ids=[4, 5], out=tmp_path / "d.png")
    d = z[:2].mean(0) - z[2:4].mean(0)
    assert torch.allclose(torch.as_tensor(rec["direction_z"]), d)
    assert rec["bases"] == ["#4", "#5"] and (tmp_path / "d.png").is_file()
    images = generate(run, along(z[[4, 5]], d, [0.0])[:, 0])
    assert torch.allclose(images, generate(run, z[[4, 5]]), atol=1e-6)
    seeded = explore_direction(run, sheet, [0], [1], base_seeds=[3], out=tmp_path / "s.png")
    assert seeded["bases"] == ["seed 3"] and len(seeded["strengths"]) == 5


def test_user_errors(tiny_run, tmp_path):
    run = zerosum.load_run(tiny_run)
    sheet = _write_sheet(tmp_path / "sheet.npz", _sheet_z(10, run.generator.nz))
    with pytest.raises(ConfigError, match=r"--b 10: ids must lie in 0\.\.9"):
        explore_arithmetic(run, sheet, [1], [10], [3], out=tmp_path / "x.png")
    with pytest.raises(ConfigError, match="--base 12"):
        explore_direction(run, sheet, [1], [2], base_ids=[12], out=tmp_path / "x.png")
    other = _write_sheet(tmp_path / "other.npz", _sheet_z(10, run.generator.nz + 1))
    with pytest.raises(ConfigError, match="another run"):
        explore_arithmetic(run, other, [1], [2], [3], out=tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.json").exists()
