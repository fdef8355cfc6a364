"""The validation split and the L2-SVM's C search, on synthetic features with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from zerosum.data.labels import balanced_subset
from zerosum.errors import ConfigError
from zerosum.representation.svm import (
    C_GRID,
    accuracy,
    choose_and_fit,
    make_svm,
    validation_split,
)

LABELS = np.repeat(np.arange(10), 300)[np.random.default_rng(0).permutation(3000)]


def test_validation_split_holds_out_a_fifth_of_each_class():
    y = LABELS[balanced_subset(LABELS, 1000, seed=0)]
    fit, val = validation_split(y, seed=0)
    assert len(np.intersect1d(fit, val)) == 0 and len(fit) + len(val) == 1000
    assert np.array_equal(np.bincount(y[val], minlength=10), np.full(10, 20))
    assert not np.array_equal(val, validation_split(y, seed=1)[1])
    with pytest.raises(ConfigError, match="at least 2 labels per class"):
        validation_split(np.array([0, 0, 1]), seed=0)


def _blobs(n: int, d: int, k: int, seed: int, margin: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """k classes whose means differ by `margin` along their own axis: linearly separable with a wide margin."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    x = rng.normal(size=(n, d))
    x[np.arange(n), y] += margin * 3
    return x, y


def test_svm_separates_separable_features_perfectly_and_reports_its_c():
    x, y = _blobs(200, 50, 5, seed=0)
    xt, yt = _blobs(500, 50, 5, seed=1)
    fit = choose_and_fit(x, y, seed=0)
    assert fit.c in C_GRID and set(fit.val_accuracy) == {float(c) for c in C_GRID}
    assert fit.val_accuracy[fit.c] == max(fit.val_accuracy.values())
    assert all(fit.val_accuracy[c] < fit.val_accuracy[fit.c] for c in fit.val_accuracy if c < fit.c)  # ties → small C
    assert accuracy(fit.model, xt, yt) == 1.0 and fit.seconds > 0


def test_svm_on_random_labels_is_at_chance():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 40)), rng.integers(0, 5, 300)
    xt, yt = rng.normal(size=(2000, 40)), rng.integers(0, 5, 2000)
    fit = choose_and_fit(x, y, seed=0)
    assert 0.15 < accuracy(fit.model, xt, yt) < 0.25  # chance is 0.2; sd of the estimate ≈ 0.009


def test_row_space_reduction_changes_nothing_but_speed():
    x, y = _blobs(60, 300, 3, seed=0, margin=0.3)  # n < d: RowSpace is used; margin small so C matters
    xt, _ = _blobs(200, 300, 3, seed=1, margin=0.3)
    for c in (1e-3, 1e-1):
        reduced, plain = make_svm(c, *x.shape).fit(x, y), make_svm(c, *x.shape, reduce=False).fit(x, y)
        assert "rowspace" in reduced.named_steps and "rowspace" not in plain.named_steps
        assert np.allclose(reduced.decision_function(xt), plain.decision_function(xt), atol=1e-4)


def test_more_samples_than_features_uses_the_primal_without_reduction():
    x, y = _blobs(400, 20, 4, seed=0)
    model = make_svm(0.1, *x.shape).fit(x, y)
    assert "rowspace" not in model.named_steps and model[-1].dual is False
    assert accuracy(model, *_blobs(200, 20, 4, seed=1)) == 1.0


def test_the_c_ascent_stops_after_two_worse_values(monkeypatch):
    """Larger C costs the most: once two C values in a row score below the best, the rest are not fitted."""
    from zerosum.representation import svm

    curve = iter([0.5, 0.7, 0.6, 0.65, 0.9])  # the last would win, but two worse values come first
    tried = []
    monkeypatch.setattr(svm, "_fit", lambda model, x, y: tried.append(model[-1].C) or 0)
    monkeypatch.setattr(svm, "accuracy", lambda model, x, y: next(curve))
    x, y = _blobs(40, 5, 2, seed=0)
    fit = choose_and_fit(x, y, seed=0, grid=(1e-4, 1e-3, 1e-2, 1e-1, 1.0))
    assert list(fit.val_accuracy) == [1e-4, 1e-3, 1e-2, 1e-1] and fit.c == 1e-3
    assert tried == [1e-4, 1e-3, 1e-2, 1e-1, 1e-3]  # four on the fit part, then the refit on all
    again = iter([0.5, 0.7, 0.6, 0.7, 0.6, 0.5])  # a tie resets the count: all five are tried
    monkeypatch.setattr(svm, "accuracy", lambda model, x, y: next(again))
    assert len(choose_and_fit(x, y, seed=0, grid=(1e-4, 1e-3, 1e-2, 1e-1, 1.0)).val_accuracy) == 5
