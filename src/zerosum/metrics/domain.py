"""Protocols on the project's own LeNet classifiers: cheap on a CPU, comparable only between zerosum runs.

Each draws 10,000 samples and compares them with the 10,000 test images of the same dataset. Inception features
cost ~0.2 s per image on a CPU; these cost ~0.2 ms, so they can run during training.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from torch import Tensor

from zerosum.metrics import classifier as clf
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.metrics.registry import EvalContext, register

N_SAMPLES = 10_000
INTERNAL = "zerosum runs only (the classifier is the project's own; no paper uses it)"


@cache
def _test_features(dataset: str) -> tuple[Tensor, Tensor]:
    """(penultimate features, softmax probabilities) of the test split, once per process."""
    images, _ = clf.load_split(dataset, "test")
    model = clf.get_classifier(dataset)
    x = images.float() / 255
    return clf.penultimate_features(model, x), clf.classify(model, x)


def _fake(ctx: EvalContext) -> tuple[Tensor, Tensor]:
    """(penultimate features, softmax probabilities) of the samples, once per evaluation."""

    def compute() -> tuple[Tensor, Tensor]:
        model = clf.get_classifier(ctx.dataset)
        x = ctx.samples(N_SAMPLES)
        return clf.penultimate_features(model, x), clf.classify(model, x)

    return ctx.memo(("lenet", N_SAMPLES), compute)


@register(
    "fd_lenet",
    "Fréchet distance between LeNet penultimate features of 10k samples and the 10k test images",
    higher_is_better=False,
    comparable=INTERNAL,
    datasets=clf.DATASETS,
)
def fd_lenet(ctx: EvalContext) -> dict[str, Any]:
    real, _ = _test_features(ctx.dataset)
    fake, _ = _fake(ctx)
    value = frechet_distance(*feature_stats(fake), *feature_stats(real))
    return {"value": value, "n_fake": len(fake), "n_real": len(real)}


@register(
    "confident_lenet",
    "share of 10k samples the LeNet classifier puts above p = 0.9 (real test images: ~0.98)",
    higher_is_better=True,
    comparable=INTERNAL,
    datasets=clf.DATASETS,
)
def confident_lenet(ctx: EvalContext) -> dict[str, Any]:
    _, probs = _fake(ctx)
    _, real_probs = _test_features(ctx.dataset)
    return {"value": clf.confident_share(probs), "real": clf.confident_share(real_probs), "n_fake": len(probs)}


@register(
    "classes_lenet",
    "entropy of the predicted-class histogram of 10k samples (log 10 = 2.303 when all classes are equally common)",
    higher_is_better=True,
    comparable=INTERNAL,
    datasets=clf.DATASETS,
)
def classes_lenet(ctx: EvalContext) -> dict[str, Any]:
    _, probs = _fake(ctx)
    counts = probs.argmax(1).bincount(minlength=probs.shape[1])
    return {"value": clf.class_histogram_entropy(probs), "counts": counts.tolist(), "n_fake": len(probs)}
