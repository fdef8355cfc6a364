import pytest
import torch

from zerosum.errors import ConfigError
from zerosum.latent.memorisation import neighbour_panel, neighbour_stats, to_range, train_nn_median


def _refs(n=20, seed=0):
    return torch.randint(0, 256, (n, 1, 6, 6), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_to_range_is_the_training_map():
    x = torch.tensor([0, 255, 51], dtype=torch.uint8)
    assert torch.allclose(to_range(x, (-1.0, 1.0)), torch.tensor([-1.0, 1.0, -0.6]))
    assert torch.allclose(to_range(x, (0.0, 1.0)), torch.tensor([0.0, 1.0, 0.2]))


def test_a_copied_training_image_is_found_at_distance_zero():
    refs = _refs()
    queries = to_range(refs[[4, 9]], (-1.0, 1.0))
    stats = neighbour_stats(queries, refs, 3, (-1.0, 1.0))
    assert stats["index"][:, 0].tolist() == [4, 9]
    assert stats["dists"][:, 0].abs().max() < 1e-4 and stats["nn_mean"] < 1e-4
    assert stats["train_nn_median"] > 1.0 and stats["ratio_mean_to_train_median"] < 1e-3
    assert (stats["dists"][:, 1:] > 1.0).all()  # the other neighbours are other images
    panel = neighbour_panel(queries, refs, stats, (-1.0, 1.0))
    assert panel.ndim == 2 and panel.shape[0] > 2 * 6 and panel.shape[1] > 4 * 6


def test_train_median_skips_the_image_itself_but_counts_duplicates():
    train = to_range(_refs(10), (-1.0, 1.0))
    brute = torch.cdist(train.flatten(1), train.flatten(1)).fill_diagonal_(float("inf")).min(1).values
    assert train_nn_median(train) == pytest.approx(float(brute.median()), rel=1e-5)
    doubled = torch.cat([train, train])
    assert train_nn_median(doubled) == pytest.approx(0.0, abs=1e-4)


def test_mismatched_references_are_config_errors():
    with pytest.raises(ConfigError, match="reference images are 6×6 gray but the generator draws 5×5 gray"):
        neighbour_stats(torch.zeros(2, 1, 5, 5), _refs(), 1, (-1.0, 1.0))
    with pytest.raises(ConfigError, match="--neighbours 30"):
        neighbour_stats(torch.zeros(2, 1, 6, 6), _refs(), 30, (-1.0, 1.0))
