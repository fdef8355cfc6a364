"""Class-balanced labelled subsets: balance, determinism per seed, and the one-line refusals."""

from __future__ import annotations

import numpy as np
import pytest

from zerosum.data.labels import balanced_subset
from zerosum.errors import ConfigError

LABELS = np.repeat(np.arange(10), 300)[np.random.default_rng(0).permutation(3000)]


def test_balanced_subset_has_n_over_k_per_class_and_depends_only_on_its_seed():
    a = balanced_subset(LABELS, 200, seed=0)
    assert len(a) == 200 and len(set(a.tolist())) == 200 and np.all(np.diff(a) > 0)
    assert np.array_equal(np.bincount(LABELS[a], minlength=10), np.full(10, 20))
    assert np.array_equal(a, balanced_subset(LABELS, 200, seed=0))
    b = balanced_subset(LABELS, 200, seed=1)
    assert not np.array_equal(a, b)
    odd = np.bincount(LABELS[balanced_subset(LABELS, 205, seed=3)], minlength=10)
    assert odd.sum() == 205 and sorted(set(odd.tolist())) == [20, 21] and (odd == 21).sum() == 5


@pytest.mark.parametrize(
    ("labels", "n", "message"),
    [
        (np.concatenate([LABELS[LABELS != 0], np.zeros(10, dtype=int)]), 200, "need 20 images of class 0 .* has 10"),
        (LABELS, 5000, "the split has only 3,000 images"),
        (LABELS, 0, "at least one labelled image"),
        (LABELS[LABELS != 7], 100, "class 7 has no images"),
    ],
)
def test_balanced_subset_refuses_what_cannot_be_drawn(labels, n, message):
    with pytest.raises(ConfigError, match=message):
        balanced_subset(labels, n, seed=0, num_classes=10)
