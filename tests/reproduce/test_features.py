"""dcgan-features end to end on a tiny run, and that its training recipe is exactly the FID experiments'."""

from __future__ import annotations

import json
from pathlib import Path

from zerosum.reproduce import features as exp_features  # registers dcgan-features
from zerosum.reproduce import fid_tables
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import get
from zerosum.reproduce.runner import reproduce

TINY = ["data.limit=256", "data.size=16", "model.ngf=8", "model.ndf=8", "model.nz=8", "train.sample_every=1000"]


def test_sources_train_with_the_fid_experiments_overrides():
    exp = get("dcgan-features")
    for budget in ("fast", "paper"):
        job = Job(exp, budget, dict(exp.budgets[budget]), Path("unused"))
        for source in ("dcgan-mnist", "dcgan-fashion", "dcgan-cifar10"):
            want = fid_tables.train_overrides(get(source).budgets[budget])
            assert exp_features.source_overrides(job, source) == want


def test_tiny_fast_budget_rows_figure_and_reuse(tmp_path):
    params = {"sources": ["dcgan-mnist"], "steps": 3, "extra": TINY, "labels": 40, "seeds": 2, "epochs": 1,
              "all_labels": ["dcgan-mnist"], "max_train": 200}  # fmt: skip
    dirs = {"out": tmp_path / "runs", "docs": tmp_path / "docs", "quiet": True}
    reproduce("dcgan-features", "fast", params=params, force=True, **dirs)
    record = json.loads((tmp_path / "docs/results/dcgan-features.json").read_text())["budgets"]["fast"]
    svm, base, full = record["rows"]
    assert svm["metric"] == "MNIST: D features + L2-SVM, 40 labels" and "±" in svm["value"]
    assert svm["target"] == "> supervised D" and isinstance(svm["met"], bool) and "384-d" in svm["note"]
    assert base["metric"] == "MNIST: supervised D, the same 40 labels" and base["met"] is None
    assert full["metric"] == "MNIST: D features + L2-SVM, a class-balanced 200 of the labels"
    assert full["anchor"] == "—" and "±" not in full["value"]  # 82.8% is CIFAR-10's anchor, not MNIST's
    assert "With 40 labels the SVM on D's features reaches" in record["text"]
    assert (tmp_path / "docs/results/dcgan-features/fast-dcgan-mnist.png").stat().st_size > 5000
    assert record["reused"] == []

    reproduce("dcgan-features", "fast", params=params, force=True, **dirs)  # the run and both measurements are reused
    again = json.loads((tmp_path / "docs/results/dcgan-features.json").read_text())["budgets"]["fast"]
    assert again["reused"] == ["dcgan-mnist", "features/dcgan-mnist-40", "features/dcgan-mnist-all"]
    assert [r["value"] for r in again["rows"]] == [r["value"] for r in record["rows"]]
