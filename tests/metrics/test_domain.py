"""LeNet protocols: real digits score like real digits, noise does not."""

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.metrics import classifier as clf
from zerosum.metrics import domain
from zerosum.metrics.registry import EvalContext, get_metric


@pytest.fixture
def protocols(monkeypatch, quick_classifier):
    monkeypatch.setattr(clf, "get_classifier", lambda dataset: quick_classifier)
    monkeypatch.setattr(domain, "N_SAMPLES", 2000)
    domain._test_outputs.cache_clear()
    yield {name: get_metric(name, "mnist") for name in ("fd_lenet", "confident_lenet", "classes_lenet")}
    domain._test_outputs.cache_clear()


def _ctx(images01: torch.Tensor) -> EvalContext:
    return EvalContext(draw=lambda n, seed: images01[:n], data=DataConfig(name="mnist"))


def test_real_digits_against_noise(protocols):
    train, _ = clf.load_split("mnist", "train")
    real = _ctx(train[-2000:].float() / 255)
    noise = _ctx(torch.rand(2000, 1, 28, 28, generator=torch.Generator().manual_seed(0)))
    fd_real, fd_noise = (protocols["fd_lenet"].compute(c)["value"] for c in (real, noise))
    assert 0 <= fd_real < 0.05 * fd_noise
    conf = protocols["confident_lenet"].compute(real)
    assert conf["value"] > 0.5 and conf["n_fake"] == 2000 and conf["real"] > 0.5
    classes = protocols["classes_lenet"].compute(real)
    assert classes["value"] > 2.2 and sum(classes["counts"]) == 2000


def test_one_class_has_zero_class_entropy(protocols):
    train, labels = clf.load_split("mnist", "train")
    ones = train[labels == 1][:2000].float() / 255
    result = protocols["classes_lenet"].compute(_ctx(ones))
    assert result["value"] < 0.3 and max(result["counts"]) > 1800


def test_precision_and_recall_share_one_computation(protocols, monkeypatch):
    train, _ = clf.load_split("mnist", "train")
    real = _ctx(train[-2000:].float() / 255)
    calls = []
    original = domain.precision_recall
    monkeypatch.setattr(domain, "precision_recall", lambda *a, **k: calls.append(1) or original(*a, **k))
    precision = get_metric("precision_lenet", "mnist").compute(real)
    recall = get_metric("recall_lenet", "mnist").compute(real)
    assert len(calls) == 1
    assert precision["value"] == recall["precision"] and recall["value"] == precision["recall"]
    assert precision["value"] > 0.6 and recall["value"] > 0.6 and precision["k"] == 3


def test_one_class_has_high_precision_and_low_recall(protocols):
    train, labels = clf.load_split("mnist", "train")
    ones = _ctx(train[labels == 1][:2000].float() / 255)
    precision = get_metric("precision_lenet", "mnist").compute(ones)
    assert precision["value"] > 0.6 and precision["recall"] < 0.3


def test_records_name_the_backend_that_ran_lenet(protocols):
    from zerosum.metrics import backends

    train, _ = clf.load_split("mnist", "train")
    want = backends.resolve_backend("auto", "cpu", clf.AUTO_ORDER)
    ctx = _ctx(train[-2000:].float() / 255)
    assert {protocols[name].compute(ctx)["backend"] for name in protocols} == {want}
    eager = EvalContext(draw=ctx.draw, data=ctx.data, backend="torch")
    assert protocols["confident_lenet"].compute(eager)["backend"] == "torch"
    same = protocols["confident_lenet"].compute(ctx)["value"]  # a probability near 0.9 may fall either side
    assert protocols["confident_lenet"].compute(eager)["value"] == pytest.approx(same, abs=1.5e-3)
