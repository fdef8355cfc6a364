"""Protocols of conditional runs on the project's LeNet: does G draw the class it is asked for, and how varied is
each class?

- `conditioning_lenet`: 10,000 samples, 1,000 of each class, read by the dataset's LeNet; the value is the share
  whose predicted class is the requested one. It is Shmelkov et al.'s GAN-test (2018) with the project's LeNet as
  the classifier trained on real data; the LeNet's own accuracy on the real test images is the record's `real`.
- `class_fd_lenet`: per class, the Fréchet distance in LeNet features between those 1,000 samples and the test
  images of the class; the value is the mean over classes. A G that follows its labels but ignores z scores a high
  accuracy and a large distance here. The record's `real` is the same distance for 1,000 training images of each
  class: the floor that sampling error alone leaves.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics.catalogue import MNIST_SHAPE
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.metrics.registry import EvalContext
from zerosum.sizes import shape_text

PER_CLASS = 1_000
SEED = 0


def per_class_outputs(ctx: EvalContext) -> tuple[clf.LeNetOutputs, Tensor]:
    """LeNet outputs of PER_CLASS samples of each class, and the class each was drawn for; once per evaluation."""

    def compute() -> tuple[clf.LeNetOutputs, Tensor]:
        labels = ctx.sample_labels(PER_CLASS * ctx.num_classes)
        x = ctx.samples(len(labels))
        if tuple(x.shape[1:]) != MNIST_SHAPE:
            got = shape_text(x.shape[1:])
            raise ConfigError(f"the LeNet protocols need {shape_text(MNIST_SHAPE)} samples, got {got}")
        return clf.lenet_outputs(clf.get_classifier(ctx.dataset), x, backend=ctx.backend), labels

    return ctx.memo(("lenet-per-class", PER_CLASS), compute)


def _split_outputs(ctx: EvalContext, split: str, per_class: int | None) -> tuple[clf.LeNetOutputs, Tensor]:
    """LeNet outputs of a real split (at most `per_class` images of each class, the first ones), with labels."""

    def compute() -> tuple[clf.LeNetOutputs, Tensor]:
        images, labels = clf.load_split(ctx.dataset, split)
        if per_class is not None:
            keep = torch.cat([torch.nonzero(labels == c).flatten()[:per_class] for c in range(int(labels.max()) + 1)])
            images, labels = images[keep], labels[keep]
        return clf.lenet_outputs(clf.get_classifier(ctx.dataset), images, backend=ctx.backend), labels

    return ctx.memo(("lenet-split", split, per_class), compute)


def class_accuracies(predicted: Tensor, labels: Tensor, k: int) -> list[float]:
    """Per class c: the share of the rows drawn for c that were read as c."""
    return [(predicted[labels == c] == c).float().mean().item() for c in range(k)]


def class_distances(features: Tensor, labels: Tensor, ref: Tensor, ref_labels: Tensor, k: int) -> list[float]:
    """Per class c: the Fréchet distance between the rows of class c and the reference rows of class c."""
    out = []
    for c in range(k):
        mine, theirs = features[labels == c], ref[ref_labels == c]
        out.append(frechet_distance(*feature_stats(mine), *feature_stats(theirs)))
    return out


def conditioning_lenet(ctx: EvalContext) -> dict[str, Any]:
    fake, labels = per_class_outputs(ctx)
    per_class = class_accuracies(fake.probs.argmax(1), labels, ctx.num_classes)
    return {
        "value": (fake.probs.argmax(1) == labels).float().mean().item(),
        "per_class": per_class,
        "worst_class": int(torch.tensor(per_class).argmin()),
        "real": clf.get_classifier(ctx.dataset).test_accuracy,
        "n_fake": len(labels),
        "backend": fake.backend,
    }


def class_fd_lenet(ctx: EvalContext) -> dict[str, Any]:
    fake, labels = per_class_outputs(ctx)
    test, test_labels = _split_outputs(ctx, "test", None)
    train, train_labels = _split_outputs(ctx, "train", PER_CLASS)
    k = ctx.num_classes
    per_class = class_distances(fake.features, labels, test.features, test_labels, k)
    floor = class_distances(train.features, train_labels, test.features, test_labels, k)
    return {
        "value": sum(per_class) / k,
        "per_class": per_class,
        "real": sum(floor) / k,
        "real_per_class": floor,
        "n_fake": len(labels),
        "backend": fake.backend,
    }
