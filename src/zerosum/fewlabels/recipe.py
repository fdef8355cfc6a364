"""The classifier recipe of the few-label experiment: the project's LeNet, a fixed number of steps, seeded.

With 100 labels an epoch is one minibatch, so the recipe counts steps, not epochs: every method of `zerosum
augment` takes the same `steps` Adam updates (linear decay to 0, as the LeNet recipe of metrics/classifier.py) on
minibatches of `batch` images, and no method looks at the test split before its one evaluation. What differs is
what a minibatch holds:
- the labelled images alone, drawn from seeded epoch permutations of the labelled set;
- the same with classic augmentation: each image shifted by a random offset of up to `SHIFT` pixels in x and y
  (zero padding, as the pad-and-crop of CIFAR training does), drawn anew every time it is used;
- the labelled images plus generated ones: `mix` generated images per labelled image in every minibatch (mix 1:
  half and half), drawn from a fixed pool of a conditional G's samples with their requested labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.metrics import classifier as clf
from zerosum.metrics.conditional import class_accuracies
from zerosum.metrics.fitting import random_shifts

STEPS = 2000
BATCH = 64
SHIFT = 2


@dataclass(frozen=True)
class Pool:
    """uint8 N×1×28×28 images with int64 labels: a labelled set or a conditional G's samples."""

    images: Tensor
    labels: Tensor

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or len(self.images) != len(self.labels) or not len(self.images):
            raise ValueError("a Pool needs a non-empty uint8 image tensor and one label per image")


class _Stream:
    """Seeded epoch permutations over a pool, `take(n)` indices at a time (wrapping past an epoch's end)."""

    def __init__(self, n: int, gen: torch.Generator) -> None:
        self.n, self.gen, self.order, self.pos = n, gen, torch.empty(0, dtype=torch.long), 0

    def take(self, k: int) -> Tensor:
        out = []
        while k > 0:
            if self.pos >= len(self.order):
                self.order, self.pos = torch.randperm(self.n, generator=self.gen), 0
            part = self.order[self.pos : self.pos + k]
            self.pos += len(part)
            k -= len(part)
            out.append(part)
        return torch.cat(out)


def train_few_label_classifier(
    labelled: Pool,
    *,
    generated: Pool | None = None,
    mix: float = 1.0,
    shifts: bool = False,
    steps: int = STEPS,
    batch: int = BATCH,
    seed: int = 0,
    desc: str = "training LeNet",
) -> clf.LeNet:
    """The LeNet after `steps` updates on `labelled` (optionally shifted) and, when given, `generated` images
    mixed in at `mix` per labelled image. Bit-identical for equal inputs, seed and thread count."""
    if generated is not None and mix <= 0:
        raise ConfigError(f"--mix {mix}: generated images per labelled image must be positive")
    n_gen = 0 if generated is None else min(batch - 1, max(1, round(batch * mix / (1 + mix))))
    n_lab = batch - n_gen
    streams: list[_Stream] = []

    def batches(step: int, gen: torch.Generator) -> tuple[Tensor, Tensor]:
        if not streams:  # made from the recipe's seeded generator, at its first draw
            streams.append(_Stream(len(labelled.images), gen))
            if generated is not None:
                streams.append(_Stream(len(generated.images), gen))
        idx = streams[0].take(n_lab)
        x, y = labelled.images[idx].float().div_(255), labelled.labels[idx]
        if shifts:
            x = random_shifts(x, SHIFT, gen)
        if generated is not None:
            g = streams[1].take(n_gen)
            x = torch.cat([x, generated.images[g].float().div_(255)])
            y = torch.cat([y, generated.labels[g]])
        return x, y

    return clf.fit_lenet(batches, steps, seed, desc)


def accuracy_on(model: clf.LeNet, test: Pool) -> tuple[float, list[float]]:
    """(accuracy, per-class accuracies) on a real test split, by eager torch."""
    predicted = clf.classify(model, test.images, backend="torch").argmax(1)
    k = int(test.labels.max()) + 1
    return (predicted == test.labels).float().mean().item(), class_accuracies(predicted, test.labels, k)
