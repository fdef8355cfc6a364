"""Protocols on the project's own LeNet classifiers: cheap on a CPU, comparable only between zerosum runs.

Each draws 10,000 samples and compares them with the 10,000 test images of the same dataset. Inception features
cost ~0.2 s per image on a CPU; these cost ~0.2 ms, so they can run during training.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.metrics.precision_recall import precision_recall
from zerosum.metrics.registry import EvalContext, register
from zerosum.sizes import shape_text

N_SAMPLES = 10_000
PR_K = 3
SHAPE = (1, 28, 28)
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
        if tuple(x.shape[1:]) != SHAPE:
            raise ConfigError(f"the LeNet protocols need {shape_text(SHAPE)} samples, got {shape_text(x.shape[1:])}")
        return clf.penultimate_features(model, x), clf.classify(model, x)

    return ctx.memo(("lenet", N_SAMPLES), compute)


@register(
    "fd_lenet",
    "Fréchet distance between LeNet penultimate features of 10k samples and the 10k test images",
    higher_is_better=False,
    comparable=INTERNAL,
    datasets=clf.DATASETS,
    shape=SHAPE,
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
    shape=SHAPE,
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
    shape=SHAPE,
)
def classes_lenet(ctx: EvalContext) -> dict[str, Any]:
    _, probs = _fake(ctx)
    counts = probs.argmax(1).bincount(minlength=probs.shape[1])
    return {"value": clf.class_histogram_entropy(probs), "counts": counts.tolist(), "n_fake": len(probs)}


def _precision_recall(ctx: EvalContext) -> dict[str, float]:
    """k = 3 manifold precision and recall of the samples against the test images, once per evaluation."""

    def compute() -> dict[str, float]:
        real, _ = _test_features(ctx.dataset)
        fake, _ = _fake(ctx)
        return precision_recall(real, fake, k=PR_K)

    return ctx.memo(("pr-lenet", N_SAMPLES, PR_K), compute)


@register(
    "precision_lenet",
    "share of 10k samples inside the k=3 nearest-neighbour manifold of the test images (LeNet features)",
    higher_is_better=True,
    comparable=INTERNAL + "; the method is Kynkäänniemi et al. 2019, who use VGG-16 features",
    datasets=clf.DATASETS,
    shape=SHAPE,
)
def precision_lenet(ctx: EvalContext) -> dict[str, Any]:
    pr = _precision_recall(ctx)
    return {"value": pr["precision"], "recall": pr["recall"], "k": PR_K, "n_fake": N_SAMPLES}


@register(
    "recall_lenet",
    "share of the test images inside the k=3 nearest-neighbour manifold of 10k samples (LeNet features)",
    higher_is_better=True,
    comparable=INTERNAL + "; the method is Kynkäänniemi et al. 2019, who use VGG-16 features",
    datasets=clf.DATASETS,
    shape=SHAPE,
)
def recall_lenet(ctx: EvalContext) -> dict[str, Any]:
    pr = _precision_recall(ctx)
    return {"value": pr["recall"], "precision": pr["precision"], "k": PR_K, "n_fake": N_SAMPLES}
