"""The whole protocol on the tiny fixture run: the record's numbers, their bookkeeping, and the picture."""

from __future__ import annotations

import numpy as np
import pytest

from zerosum.errors import ConfigError
from zerosum.representation import BASELINE, SVM, evaluate_features, plot_record
from zerosum.representation.evaluate import confusion, plan
from zerosum.seedstats import summary


def test_plan_labels_seeds_and_cap():
    assert plan(1000, None, 60000, 5) == (1000, 5, False)
    assert plan(None, None, 60000, 5) == (60000, 1, False)  # all labels: one draw
    assert plan(0, 5000, 60000, 5) == (5000, 1, True)
    assert plan(70000, None, 60000, 3) == (60000, 1, False)  # more than there are: all of them
    assert plan(None, 90000, 60000, 3) == (60000, 1, False)
    for args in ((-1, None, 10, 1), (10, None, 100, 0), (None, 0, 100, 1)):
        with pytest.raises(ConfigError):
            plan(*args)
    with pytest.raises(ConfigError, match="at least 20"):
        plan(19, None, 100, 1, k=10)
    with pytest.raises(ConfigError, match="--max-train 10: give at least 20"):
        plan(None, 10, 100, 1, k=10)


def test_summary_and_confusion():
    s = summary([0.9, 0.8, 0.7])
    assert s["mean"] == pytest.approx(0.8) and s["std"] == pytest.approx(0.1) and s["per_seed"] == [0.9, 0.8, 0.7]
    assert summary([0.5])["std"] == 0.0
    cm = confusion(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_evaluate_features_on_the_tiny_run(tiny_run, tmp_path):
    rec = evaluate_features(tiny_run, labels=60, seeds=2, epochs=2)
    assert rec["dataset"] == "mnist" and rec["labels"] == 60 and rec["seeds"] == 2 and not rec["all_labels"]
    assert rec["layers"] == [[8, 8, 8], [16, 4, 4]] and rec["feature_dim"] == 16 * (8 + 16)
    assert rec["train_size"] == 60000 and rec["test_size"] == 10000  # the training-time data.limit is dropped
    svm, base = rec["methods"][SVM], rec["methods"][BASELINE]
    for method in (svm, base):
        assert len(method["per_seed"]) == 2 and all(0.0 <= a <= 1.0 for a in method["per_seed"])
        assert method["mean"] == pytest.approx(np.mean(method["per_seed"]))
    assert svm["mean"] > 0.3  # even a 3-step D's random-ish conv features beat chance (0.1) by far
    assert all(r["C"] in rec["c_grid"] for r in svm["runs"])
    assert all(1 <= r["epoch"] <= 2 for r in base["runs"])
    cm = np.array(rec["confusion"])
    assert cm.shape == (10, 10) and cm.sum() == 10000
    assert np.trace(cm) / 10000 == pytest.approx(svm["per_seed"][0])
    picture = plot_record(rec, tmp_path / "features.png")
    assert picture.stat().st_size > 5000


def test_all_labels_capped_without_baseline(tiny_run):
    rec = evaluate_features(tiny_run, labels=None, max_train=300, seeds=4, baseline=False)
    assert rec["capped"] and rec["labels"] == 300 and rec["seeds"] == 1 and list(rec["methods"]) == [SVM]
