import pytest
import torch

from zerosum.config import DataConfig
from zerosum.data import PointSet, load_dataset
from zerosum.errors import DataError


def toy(name, split="train", **params) -> PointSet:
    return load_dataset(DataConfig(name=name, split=split, params=params))


def test_toy_1d_stats_and_determinism():
    s = toy("toy-1d", n=50_000)
    assert isinstance(s, PointSet) and s.shape == (1,) and len(s) == 50_000 and s.modes is None
    assert s.points.mean().item() == pytest.approx(4.0, abs=0.01)
    assert s.points.std().item() == pytest.approx(0.5, abs=0.01)
    assert s.classes == () and s.labels.eq(0).all()
    assert torch.equal(s.points, toy("toy-1d", n=50_000).points)
    assert not torch.equal(s.points, toy("toy-1d", n=50_000, seed=1).points)
    other = toy("toy-1d", n=2000, mu=-1.0, sigma=2.0)
    assert other.points.mean().item() == pytest.approx(-1.0, abs=0.2) and other.std == 2.0


def test_default_size_is_large():
    assert len(toy("toy-1d")) == 100_000


def test_ring_8():
    s = toy("ring-8", n=8000)
    assert s.shape == (2,) and s.modes.shape == (8, 2) and s.std == 0.01 and s.num_classes == 8
    assert torch.allclose(s.modes.norm(dim=1), torch.ones(8))
    assert s.labels.bincount().tolist() == [1000] * 8  # equal shares
    offsets = s.points - s.modes[s.labels]
    assert offsets.mean(0).abs().max() < 0.002
    assert offsets.std(0).tolist() == pytest.approx([0.01, 0.01], abs=0.001)


def test_grid_25():
    s = toy("grid-25", n=25_003)
    centres = {tuple(m) for m in s.modes.tolist()}
    assert centres == {(x, y) for x in (-4.0, -2.0, 0.0, 2.0, 4.0) for y in (-4.0, -2.0, 0.0, 2.0, 4.0)}
    counts = s.labels.bincount()
    assert counts.max() - counts.min() <= 1 and counts.sum() == 25_003
    offsets = s.points - s.modes[s.labels]
    assert offsets.std(0).tolist() == pytest.approx([0.05, 0.05], abs=0.002)
    # nearest mode of every point is the one it was drawn from (modes are 40 std apart)
    nearest = torch.cdist(s.points, s.modes).argmin(1)
    assert torch.equal(nearest, s.labels)


def test_splits_limit_and_bad_params():
    train, test = toy("ring-8", n=100), toy("ring-8", "test", n=100)
    assert not torch.equal(train.points, test.points)
    both = toy("ring-8", "all", n=100)
    assert len(both) == 200 and torch.equal(both.points[100:], test.points)
    limited = load_dataset(DataConfig(name="ring-8", limit=10, params={"n": 100}))
    assert torch.equal(limited.points, train.points[:10])
    with pytest.raises(DataError, match="unknown data.params.*mu"):
        toy("ring-8", mu=3)
    with pytest.raises(DataError, match="n must be >= 1"):
        toy("grid-25", n=0)
