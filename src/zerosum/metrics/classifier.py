"""An independent MNIST / Fashion-MNIST classifier, used to judge generated samples.

A GAN's own discriminator cannot grade its generator, so sample quality is measured with a small LeNet-style
CNN trained here, deterministically (fixed seed, forked global RNG), and cached with its test accuracy so the
number it produces is reproducible across machines and runs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.atomic import atomic_write_bytes
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.sources import cache_dir
from zerosum.errors import DataError
from zerosum.progress import progress

log = logging.getLogger("zerosum.metrics")

DATASETS = ("mnist", "fashion-mnist")
SEED = 1234
EPOCHS = 3
BATCH_SIZE = 128
VERSION = 2  # bump when the architecture or recipe changes, so stale caches are retrained


class LeNet(nn.Module):
    """conv5-BN-pool ×2, fc, fc; the penultimate layer (128-d) doubles as a feature space for Fréchet distance.

    BatchNorm buys ~1 point on Fashion-MNIST (91% vs 89–90%) at three epochs; channels-last memory halves the
    CPU time of the convolutions.
    """

    feature_dim = 128
    test_accuracy: float = float("nan")  # set by get_classifier from the cache entry

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 5, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 4 * 4, self.feature_dim)
        self.fc2 = nn.Linear(self.feature_dim, 10)

    def features(self, x: Tensor) -> Tensor:
        """Penultimate activations for images in [0, 1] (normalised inside, so callers never forget)."""
        x = ((x - 0.5) / 0.5).contiguous(memory_format=torch.channels_last)
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return F.relu(self.fc1(x.flatten(1)))

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.features(x))


def load_split(dataset: str, split: str) -> tuple[Tensor, Tensor]:
    """(uint8 N×1×28×28 images, int64 labels) of the 'train' or 'test' split of a dataset with a classifier."""
    if dataset not in DATASETS:
        raise DataError(f"no classifier for dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    data = load_dataset(DataConfig(name=dataset, split=split))
    return data.images, data.labels


def train_classifier(
    images: Tensor,
    labels: Tensor,
    steps: int,
    batch_size: int = BATCH_SIZE,
    seed: int = SEED,
    desc: str = "training LeNet",
) -> LeNet:
    """Train LeNet with Adam and a linear-decay schedule; bit-identical for equal inputs and thread count.

    Shows progress under `desc` (a first-use training takes minutes); a few-second one stays silent.
    """
    with torch.random.fork_rng(devices=[]), progress(steps, desc, unit="step") as bar:
        torch.manual_seed(seed)
        model = LeNet().to(memory_format=torch.channels_last)
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / steps)
        gen = torch.Generator().manual_seed(seed)
        per_epoch = max(1, len(images) // batch_size)  # drop the ragged last batch: equal-sized steps
        order = torch.empty(0, dtype=torch.long)
        model.train()
        for step in range(steps):
            if step % per_epoch == 0:
                order = torch.randperm(len(images), generator=gen)
            idx = order[(step % per_epoch) * batch_size :][:batch_size]
            x = images[idx].float().div_(255)
            loss = F.cross_entropy(model(x), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            bar.update()
    return model.eval()


@torch.inference_mode()
def _batched(fn, model: nn.Module, images01: Tensor, batch_size: int, width: int) -> Tensor:
    """Apply `fn(x)` in batches on the model's device; uint8 images are scaled to [0, 1] first."""
    device = next(model.parameters()).device
    out = []
    for chunk in images01.split(batch_size):
        x = chunk.to(device).float()
        if chunk.dtype == torch.uint8:
            x = x / 255
        out.append(fn(x).float().cpu())
    return torch.cat(out) if out else torch.empty(0, width)


def classify(model: nn.Module, images01: Tensor, batch_size: int = 1000) -> Tensor:
    """Class probabilities (N×10) of images in [0, 1] (uint8 is accepted too and scaled)."""
    return _batched(lambda x: F.softmax(model(x).float(), dim=1), model, images01, batch_size, 10)


def penultimate_features(model: nn.Module, images01: Tensor, batch_size: int = 1000) -> Tensor:
    """N×F penultimate activations, the feature space of a Fréchet distance on MNIST-like data."""
    return _batched(model.features, model, images01, batch_size, LeNet.feature_dim)


def confident_share(probs: Tensor, threshold: float = 0.9) -> float:
    """Share of samples whose top class probability exceeds `threshold`: a proxy for legible digits."""
    return (probs.max(dim=1).values > threshold).float().mean().item()


def class_histogram_entropy(probs: Tensor) -> float:
    """Entropy (nats) of the predicted-class histogram; log(10)≈2.303 means all classes equally covered."""
    counts = torch.bincount(probs.argmax(dim=1), minlength=probs.shape[1]).double()
    p = counts / counts.sum()
    return float(-(p[p > 0] * p[p > 0].log()).sum())


def accuracy(model: nn.Module, images: Tensor, labels: Tensor) -> float:
    return (classify(model, images).argmax(1) == labels).float().mean().item()


def _save_atomic(obj: dict, path: Path) -> None:
    atomic_write_bytes(path, lambda f: torch.save(obj, f))


def classifier_path(dataset: str) -> Path:
    return cache_dir() / "classifiers" / f"lenet-{dataset}.pt"


def get_classifier(dataset: str = "mnist", device: str | torch.device = "cpu") -> LeNet:
    """The cached classifier for `dataset`, trained (≈1–2 min on 2 cores) and cached on first use."""
    path = classifier_path(dataset)
    model = LeNet()
    if path.is_file():
        try:
            blob = torch.load(path, map_location="cpu", weights_only=True)
            if blob.get("version") == VERSION:
                model.load_state_dict(blob["state_dict"])
                model.test_accuracy = float(blob["test_accuracy"])
                return model.eval().to(device)
        except Exception:  # a corrupt cache entry is simply retrained and replaced
            pass
    log.info("training the %s LeNet once (%d epochs, ~2 min on two CPU cores); cached in %s", dataset, EPOCHS, path)
    images, labels = load_split(dataset, "train")
    steps = EPOCHS * (len(images) // BATCH_SIZE)
    model = train_classifier(images, labels, steps=steps, desc=f"training the {dataset} LeNet")
    test_images, test_labels = load_split(dataset, "test")
    model.test_accuracy = accuracy(model, test_images, test_labels)
    blob = {"state_dict": model.state_dict(), "test_accuracy": model.test_accuracy, "version": VERSION}
    _save_atomic({**blob, "dataset": dataset}, path)
    return model.to(device)
