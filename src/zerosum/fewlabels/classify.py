"""A semi-supervised run's D as a classifier: its K class logits on images, and its accuracy on a real split."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
from torch import Tensor

from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.errors import ConfigError
from zerosum.metrics.conditional import class_accuracies
from zerosum.run import Run, as_run

BATCH = 1000


def require_classifier(run: Run, verb: str) -> Run:
    """The run, when its D classifies (a semi-supervised GAN); a one-line ConfigError otherwise."""
    if run.config.model.arch != "ssgan" or run.D is None:
        raise ConfigError(f"{verb} reads a semi-supervised run's D as a classifier; {run.path} is not one (arch ssgan)")
    return run


@torch.inference_mode()
def class_logits(run: Run, images: Tensor) -> Tensor:
    """D's K class logits (N×K) for uint8 images, in eval mode (no Gaussian noise), batched; the averaged D when
    the run kept one."""
    run = require_classifier(run, "classification")
    D = run.classifier.eval()
    lo, hi = run.generator.output_range
    out = []
    for chunk in images.split(BATCH):
        x = chunk.to(run.device).float().mul_((hi - lo) / 255.0).add_(lo)
        out.append(D.classify(x).float().cpu())
    return torch.cat(out) if out else torch.empty(0, D.classes)


@dataclass(frozen=True)
class Accuracy:
    accuracy: float
    errors: int
    n: int
    per_class: list[float]


def split_accuracy(
    run: Run | str | os.PathLike, split: str = "test", checkpoint: str | None = None, device: str | None = None
) -> Accuracy:
    """D's accuracy on every image of a split of the run's dataset."""
    run = require_classifier(as_run(run, checkpoint, device), "split_accuracy")
    data = load_dataset(DataConfig(name=run.config.data.name, root=run.config.data.root, split=split))
    predicted = class_logits(run, data.images).argmax(1)
    right = predicted == data.labels
    per_class = class_accuracies(predicted, data.labels, run.classifier.classes)
    return Accuracy(right.float().mean().item(), int((~right).sum()), len(right), per_class)
