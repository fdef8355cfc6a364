"""The few-label experiments end to end on tiny budgets: rows, figures, shared runs and the label splits."""

from __future__ import annotations

import json

import pytest

from zerosum.metrics import cas, conditional, domain
from zerosum.metrics import classifier as clf
from zerosum.reproduce import reproduce

TINY = ["model.ngf=8", "model.ndf=8", "model.nz=8", "train.batch_size=16"]


@pytest.fixture
def quick_lenet(monkeypatch, data_root):
    """One small LeNet for both datasets and a short CAS recipe: these tests check plumbing, not accuracy."""
    images, labels = clf.load_split("mnist", "train")
    model = clf.train_classifier(images[:2048], labels[:2048], steps=40, batch_size=64)
    model.test_accuracy = 0.5
    monkeypatch.setattr(clf, "get_classifier", lambda dataset: model)
    monkeypatch.setattr(cas, "lenet_recipe", lambda x, y, desc="": clf.train_classifier(x[:512], y[:512], steps=5))
    monkeypatch.setattr(conditional, "PER_CLASS", 20)
    monkeypatch.setattr(domain, "N_SAMPLES", 200)
    domain._test_outputs.cache_clear()
    yield model
    domain._test_outputs.cache_clear()


def _record(docs, name):
    return json.loads((docs / f"results/{name}.json").read_text())["budgets"]["fast"]


def test_cgan_conditioning_then_few_labels_reusing_its_runs(tmp_path, quick_lenet):
    out, docs = tmp_path / "runs", tmp_path / "docs"
    base = {"steps": 2, "variant_steps": 2, "overrides": TINY, "workers": 1}
    reproduce("cgan-conditioning", "fast", params=base, out=out, docs=docs, force=True, quiet=True)
    rows = {r["metric"]: r for r in _record(docs, "cgan-conditioning")["rows"]}
    gan_test = rows["MNIST: samples read as their class by the LeNet (GAN-test), cgan-mnist"]
    assert gan_test["target"] == "≥ 98%" and gan_test["value"].endswith("%")
    assert "Fashion-MNIST: CAS (LeNet trained on samples, one per training label) / real data" in rows
    assert any("projection D" in m for m in rows)
    assert (docs / "results/cgan-conditioning/fast-preset-mnist.png").is_file()

    params = {**base, "labels": [20], "seeds": 2, "subset_labels": [20], "cgan_steps": 2, "cgan_overrides": TINY,
              "classifier_steps": 3, "mix": 1.0, "methods": ["labelled", "shifts", "cgan_subset", "cgan_all"],
              "ssgan_steps": 2, "ssgan_seeds": 1, "ssgan_labels": 20, "ssgan_target": 2.0}  # fmt: skip
    reproduce("few-labels", "fast", params=params, out=out, docs=docs, force=True, quiet=True)
    record = _record(docs, "few-labels")
    rows = {r["metric"]: r for r in record["rows"]}
    assert "MNIST, 20 labels: LeNet on labelled + random shifts (±2 px)" in rows
    assert "Fashion-MNIST, 20 labels: LeNet on labelled + samples of a cGAN trained on those labels only" in rows
    ssgan = rows["MNIST, 20 labels: semi-supervised GAN test error (1 seed(s))"]
    assert ssgan["target"] == "≤ 2%" and ssgan["met"] is False  # two steps do not learn MNIST
    assert not any(m.startswith("CIFAR-10") for m in rows)  # the fast budget trains no CIFAR-10 semi-supervised GAN
    assert "MNIST, 20 labels: D features + L2-SVM (same label splits)" in rows
    assert record["reused"] == ["cgan-mnist-all", "cgan-fashion-mnist-all"]  # the runs it trained are not "reused"
    assert not (out / "fast/few-labels/cgan-mnist-all").exists()  # reused from cgan-conditioning
    subset = (out / "fast/few-labels/cgan-fashion-mnist-20-seed1/config.yaml").read_text()
    assert "labelled: 20" in subset and "label_seed: 1" in subset
    ssgan_cfg = (out / "fast/few-labels/ssgan-mnist-seed0/config.yaml").read_text()
    assert "labelled: 20" in ssgan_cfg and "arch: ssgan" in ssgan_cfg
    assert (docs / "results/few-labels/fast-augment-fashion-mnist.png").is_file()
    assert (docs / "results/few-labels/fast-classes-mnist.png").is_file()


def test_the_paper_budget_adds_the_cifar10_semi_supervised_row_with_its_own_goal():
    from zerosum.fewlabels.classify import Accuracy
    from zerosum.representation import BASELINE, SVM
    from zerosum.reproduce.few_labels import few_label_rows

    stats = {"mean": 0.9, "std": 0.01}
    p = {"ssgan_labels": 100, "ssgan_target": 1.0, "ssgan_steps": 180000, "ssgan_cifar10_steps": 600000,
         "variant_steps": 20000}  # fmt: skip
    errors = {"mnist": [Accuracy(0.992, 80, 10_000, []), Accuracy(0.990, 100, 10_000, [])],
              "cifar10": [Accuracy(0.80, 2000, 10_000, [])]}  # fmt: skip
    rows = {r.metric: r for r in few_label_rows(p, {}, errors, {"methods": {SVM: stats, BASELINE: stats}})}
    mnist = rows["MNIST, 100 labels: semi-supervised GAN test error (2 seed(s))"]
    assert mnist.value == "0.90% (0.80, 1.00)" and mnist.target == "≤ 1%" and mnist.met is True
    cifar = rows["CIFAR-10, 4,000 labels: semi-supervised GAN test error (1 seed(s))"]
    assert cifar.value == "20.00% (20.00)" and "18.63%" in cifar.anchor and cifar.met is None
