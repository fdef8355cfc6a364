"""Protocols on the project's own LeNet classifiers: cheap on a CPU, comparable only between zerosum runs.

Each draws 10,000 samples and compares them with the 10,000 test images of the same dataset. Inception features
cost ~35 ms per image on two CPU cores; these cost ~0.03 ms, so they can run during training. Their names, descriptions
and datasets are declared in `catalogue`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics.catalogue import MNIST_SHAPE as SHAPE
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.metrics.precision_recall import precision_recall
from zerosum.metrics.registry import EvalContext
from zerosum.sizes import shape_text

N_SAMPLES = 10_000
PR_K = 3


@cache
def _test_outputs(dataset: str, backend: str) -> clf.LeNetOutputs:
    """Penultimate features and softmax probabilities of the test split, once per process and backend."""
    images, _ = clf.load_split(dataset, "test")
    return clf.lenet_outputs(clf.get_classifier(dataset), images, backend=backend)


def _real(ctx: EvalContext) -> clf.LeNetOutputs:
    return _test_outputs(ctx.dataset, ctx.backend)


def _fake(ctx: EvalContext) -> clf.LeNetOutputs:
    """The samples' LeNet outputs (with the backend that ran them, for the record), once per evaluation."""

    def compute() -> clf.LeNetOutputs:
        x = ctx.samples(N_SAMPLES)
        if tuple(x.shape[1:]) != SHAPE:
            raise ConfigError(f"the LeNet protocols need {shape_text(SHAPE)} samples, got {shape_text(x.shape[1:])}")
        return clf.lenet_outputs(clf.get_classifier(ctx.dataset), x, backend=ctx.backend)

    return ctx.memo(("lenet", N_SAMPLES), compute)


def fd_lenet(ctx: EvalContext) -> dict[str, Any]:
    real, fake = _real(ctx), _fake(ctx)
    value = frechet_distance(*feature_stats(fake.features), *feature_stats(real.features))
    return {"value": value, "n_fake": len(fake.features), "n_real": len(real.features), "backend": fake.backend}


def confident_lenet(ctx: EvalContext) -> dict[str, Any]:
    fake = _fake(ctx)
    return {
        "value": clf.confident_share(fake.probs),
        "real": clf.confident_share(_real(ctx).probs),
        "n_fake": len(fake.probs),
        "backend": fake.backend,
    }


def classes_lenet(ctx: EvalContext) -> dict[str, Any]:
    fake = _fake(ctx)
    counts = fake.probs.argmax(1).bincount(minlength=fake.probs.shape[1])
    return {
        "value": clf.class_histogram_entropy(fake.probs),
        "counts": counts.tolist(),
        "n_fake": len(fake.probs),
        "backend": fake.backend,
    }


def _precision_recall(ctx: EvalContext) -> dict[str, float]:
    """k = 3 manifold precision and recall of the samples against the test images, once per evaluation."""
    return ctx.memo(
        ("pr-lenet", N_SAMPLES, PR_K), lambda: precision_recall(_real(ctx).features, _fake(ctx).features, k=PR_K)
    )


def precision_lenet(ctx: EvalContext) -> dict[str, Any]:
    pr = _precision_recall(ctx)
    return {"value": pr["precision"], "recall": pr["recall"], "k": PR_K, "n_fake": N_SAMPLES,
            "backend": _fake(ctx).backend}  # fmt: skip


def recall_lenet(ctx: EvalContext) -> dict[str, Any]:
    pr = _precision_recall(ctx)
    return {"value": pr["recall"], "precision": pr["precision"], "k": PR_K, "n_fake": N_SAMPLES,
            "backend": _fake(ctx).backend}  # fmt: skip
