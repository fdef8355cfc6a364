"""Conditional protocols: GAN-test per class, within-class distance, and CAS, with real digits standing in for G."""

from __future__ import annotations

import pytest
import torch

from zerosum.config import DataConfig
from zerosum.errors import ConfigError
from zerosum.metrics import cas, conditional
from zerosum.metrics import classifier as clf
from zerosum.metrics.registry import EvalContext, get_metric

QUICK = {"n": 4096, "steps": 150, "batch_size": 64}


def _quick_recipe(images, labels, desc=""):
    """The quick classifier's own recipe (tests/metrics/conftest.py), on the first QUICK["n"] images given."""
    return clf.train_classifier(images[: QUICK["n"]], labels[: QUICK["n"]], QUICK["steps"], QUICK["batch_size"])


@pytest.fixture
def lenet(monkeypatch, quick_classifier):
    test_images, test_labels = clf.load_split("mnist", "test")
    quick_classifier.test_accuracy = clf.accuracy(quick_classifier, test_images, test_labels)
    monkeypatch.setattr(clf, "get_classifier", lambda dataset: quick_classifier)
    monkeypatch.setattr(conditional, "PER_CLASS", 200)
    monkeypatch.setattr(cas, "lenet_recipe", _quick_recipe)
    return quick_classifier


def _pools(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = clf.load_split("mnist", split)
    return images, labels


def _real_stand_in(shift: int = 0) -> EvalContext:
    """A 'generator' that returns real training digits of class (y + shift) mod 10 when asked for class y."""
    images, labels = _pools("train")
    by_class = [images[labels == c] for c in range(10)]

    def labelled(y: torch.Tensor, seed: int) -> torch.Tensor:
        out, seen = torch.empty(len(y), 1, 28, 28, dtype=torch.uint8), [0] * 10
        for i, c in enumerate(((y + shift) % 10).tolist()):
            out[i] = by_class[c][seen[c] % len(by_class[c])]
            seen[c] += 1
        return out.float() / 255

    def draw(n: int, seed: int) -> torch.Tensor:
        return labelled(torch.arange(n) % 10, seed)

    return EvalContext(draw=draw, data=DataConfig(name="mnist"), draw_labelled=labelled, num_classes=10)


def test_per_class_helpers_against_closed_forms():
    predicted, labels = torch.tensor([0, 0, 1, 1, 2, 0]), torch.tensor([0, 0, 1, 1, 2, 2])
    assert conditional.class_accuracies(predicted, labels, 3) == [1.0, 1.0, 0.5]
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(400, 3, generator=gen)
    feats, refs = torch.cat([a, a + 2.0]), torch.cat([a, a])
    groups = torch.cat([torch.zeros(400), torch.ones(400)]).long()
    near, far = conditional.class_distances(feats, groups, refs, groups, 2)
    assert near == pytest.approx(0.0, abs=1e-6) and far == pytest.approx(3 * 2.0**2, rel=1e-4)  # ‖Δμ‖², same Σ


def test_real_digits_follow_their_labels_and_shifted_ones_do_not(lenet):
    good, bad = _real_stand_in(0), _real_stand_in(1)
    right = get_metric("conditioning_lenet", "mnist", conditional=True).compute(good)
    wrong = get_metric("conditioning_lenet", "mnist", conditional=True).compute(bad)
    assert right["value"] > 0.85 and wrong["value"] < 0.1 and len(right["per_class"]) == 10
    assert right["n_fake"] == 2000 and right["real"] == lenet.test_accuracy
    fd = get_metric("class_fd_lenet", "mnist", conditional=True).compute(good)
    fd_wrong = get_metric("class_fd_lenet", "mnist", conditional=True).compute(bad)
    assert fd["value"] < 0.2 * fd_wrong["value"] and fd["real"] < fd_wrong["value"]


def test_cas_on_real_data_in_place_of_samples_is_the_real_accuracy(lenet):
    record = cas.cas_mnist(_real_stand_in(0))
    assert record["n_train"] == 60_000 and record["n_test"] == 10_000
    assert abs(record["value"] - record["real"]) <= 0.005  # within 0.5 points
    assert record["gan_test"] > 0.85
    shifted = cas.cas_mnist(_real_stand_in(1))  # every image under its neighbour's label
    assert shifted["value"] < 0.1


def test_conditional_protocols_refuse_unconditional_runs():
    with pytest.raises(ConfigError, match="needs a conditional run"):
        get_metric("cas_mnist", "mnist", conditional=False)
    with pytest.raises(ConfigError, match="defined for fashion-mnist"):
        get_metric("cas_fashion", "mnist", conditional=True)
    ctx = EvalContext(draw=lambda n, seed: torch.zeros(n, 1, 28, 28), data=DataConfig(name="mnist"))
    with pytest.raises(ConfigError, match="measures conditional runs"):
        conditional.conditioning_lenet(ctx)


def test_a_conditional_runs_samples_are_drawn_for_the_requested_classes(tmp_path):
    """What the conditional protocols read: `labelled_sampler` draws one sample per requested label, exactly the
    samples `zerosum.sample` gives for those labels; `samples(n)` cycles over the classes as `sample_labels` says."""
    import zerosum
    from tests.conftest import TINY_DCGAN
    from zerosum.evaluation import labelled_sampler, unit_sampler

    over = [o for o in TINY_DCGAN if not o.startswith("data.size")]
    zerosum.train("cgan-mnist", overrides=[*over, "train.steps=2"], out=tmp_path / "run")
    run = zerosum.load_run(tmp_path / "run")
    wanted = torch.tensor([3, 3, 7, 0, 9])
    drawn = labelled_sampler(run)(wanted, 0)
    direct = zerosum.sample(run, 5, seed=0, labels=wanted.tolist())
    assert torch.equal(direct.y, wanted)
    torch.testing.assert_close(drawn, ((direct.images + 1) / 2).clamp(0, 1))
    ctx = EvalContext(draw=unit_sampler(run), data=DataConfig(name="mnist"), num_classes=10)
    cycled = zerosum.sample(run, 12, seed=0)
    assert torch.equal(cycled.y, ctx.sample_labels(12))


def test_cas_on_an_unconditional_run_is_one_line_exit_2(tiny_run, capsys):
    from zerosum.cli import main

    assert main(["evaluate", str(tiny_run), "--metrics", "cas_mnist"]) == 2
    err = capsys.readouterr().err.strip()
    assert "needs a conditional run" in err and err.count("\n") == 0
