"""The CIFAR-10 classifier recipe of `cas_cifar10`: a small ResNet trained from scratch, seeded, cached.

The CAS paper trains a ResNet-56 (real data: 92.58% on CIFAR-10). On two CPU cores that is hours per training, and
CAS trains twice (once on real images for the baseline, once on a run's samples), so the recipe here is a ResNet
of three stages (16, 32, 64 channels, one residual block each: 8 layers with weights), SGD with Nesterov momentum
0.9, weight decay 5e-4, lr 0.1 on a cosine schedule, batch 128, random crops (4-pixel zero padding) and mirroring,
`EPOCHS` epochs. Its own accuracy on the real test split, cached with its weights, is the baseline beside every
CAS; only numbers of this recipe compare with each other.
"""

from __future__ import annotations

import logging

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.sources import cache_dir
from zerosum.metrics.classifier import save_atomic
from zerosum.metrics.fitting import descend, random_shifts
from zerosum.progress import progress

log = logging.getLogger("zerosum.metrics")

EPOCHS = 15
BATCH = 128
SEED = 1234
VERSION = 1
WIDTHS = (16, 32, 64)


class Block(nn.Module):
    """Two 3×3 conv–BN layers with a skip (a 1×1 strided conv when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.skip = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.skip = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x: Tensor) -> Tensor:
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.skip(x))


class SmallResNet(nn.Module):
    test_accuracy: float = float("nan")

    def __init__(self, widths: tuple[int, int, int] = WIDTHS, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        self.stages = nn.Sequential(
            Block(widths[0], widths[0], 1), Block(widths[0], widths[1], 2), Block(widths[1], widths[2], 2)
        )
        self.fc = nn.Linear(widths[2], classes)

    def forward(self, x: Tensor) -> Tensor:
        """Class logits for images in [0, 1] (normalised to [−1, 1] inside)."""
        h = self.stages(self.stem((x - 0.5) / 0.5))
        return self.fc(h.mean(dim=(2, 3)))


def augment(x: Tensor, gen: torch.Generator, pad: int = 4) -> Tensor:
    """Random crops of zero-padded images (`fitting.random_shifts`) and random mirroring, per image."""
    out = random_shifts(x, pad, gen)
    flip = torch.rand(len(x), generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def train_cifar_classifier(
    images: Tensor, labels: Tensor, epochs: int | None = None, seed: int = SEED, desc: str = "training the ResNet"
) -> SmallResNet:
    """The recipe of the module docstring (`EPOCHS` unless `epochs` says) on uint8 N×3×32×32 images; bit-identical
    for equal inputs and threads."""
    epochs = EPOCHS if epochs is None else epochs
    per_epoch = max(1, len(images) // BATCH)
    steps = epochs * per_epoch
    with torch.random.fork_rng(devices=[]), progress(steps, desc, unit="step") as bar:
        torch.manual_seed(seed)
        model = SmallResNet().to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        for _ in range(epochs):
            order = torch.randperm(len(images), generator=gen)
            for b in range(per_epoch):
                idx = order[b * BATCH : (b + 1) * BATCH]
                x = augment(images[idx].float().div_(255), gen).contiguous(memory_format=torch.channels_last)
                descend(opt, sched, F.cross_entropy(model(x), labels[idx]))
                bar.update()
    return model.eval()


@torch.inference_mode()
def accuracy(model: SmallResNet, images: Tensor, labels: Tensor, batch: int = 500) -> float:
    model.eval()
    right = 0
    for i in range(0, len(images), batch):
        logits = model(images[i : i + batch].float().div_(255).contiguous(memory_format=torch.channels_last))
        right += int((logits.argmax(1) == labels[i : i + batch]).sum())
    return right / max(len(images), 1)


def load_cifar(split: str) -> tuple[Tensor, Tensor]:
    data = load_dataset(DataConfig(name="cifar10", split=split))
    return data.images, data.labels


def get_cifar_classifier() -> SmallResNet:
    """The recipe trained once on the real training split and cached with its test accuracy (≈ the training's
    time: see docs/metrics.md)."""
    path = cache_dir() / "classifiers" / f"resnet-cifar10-v{VERSION}.pt"
    model = SmallResNet()
    if path.is_file():
        try:
            blob = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(blob["state_dict"])
            model.test_accuracy = float(blob["test_accuracy"])
            return model.eval()
        except Exception:  # a corrupt cache entry is retrained and replaced
            pass
    log.info("training the CIFAR-10 ResNet of cas_cifar10 once (%d epochs); cached in %s", EPOCHS, path)
    images, labels = load_cifar("train")
    model = train_cifar_classifier(images, labels, desc="training the CIFAR-10 ResNet (real images)")
    model.test_accuracy = accuracy(model, *load_cifar("test"))
    save_atomic({"state_dict": model.state_dict(), "test_accuracy": model.test_accuracy}, path)
    return model
