"""An independent MNIST / Fashion-MNIST classifier, used to judge generated samples.

A GAN's own discriminator cannot grade its generator, so sample quality is measured with a small LeNet-style
CNN trained here, deterministically (fixed seed, forked global RNG), and cached with its test accuracy so the
number it produces is reproducible across machines and runs.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.atomic import atomic_write_bytes
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.sources import cache_dir
from zerosum.errors import DataError
from zerosum.metrics.backends import compile_network
from zerosum.metrics.catalogue import LENET_DATASETS
from zerosum.metrics.fitting import Batches, fit_adam

log = logging.getLogger("zerosum.metrics")

DATASETS = LENET_DATASETS  # declared with the LeNet protocols, in the torch-free catalogue
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


def fit_lenet(batches: Batches, steps: int, seed: int = SEED, desc: str = "training LeNet") -> LeNet:
    """The LeNet recipe (`fitting.fit_adam`: Adam 2e-3 decaying linearly to 0) on the minibatches `batches` draws
    with the seeded generator it is given. Shows progress under `desc`; a few-second training stays silent."""
    return fit_adam(lambda: LeNet().to(memory_format=torch.channels_last), batches, steps, seed, desc)


def train_classifier(
    images: Tensor,
    labels: Tensor,
    steps: int,
    batch_size: int = BATCH_SIZE,
    seed: int = SEED,
    desc: str = "training LeNet",
) -> LeNet:
    """`fit_lenet` on uint8 images in seeded epoch permutations, the ragged last batch of each epoch dropped."""
    per_epoch = max(1, len(images) // batch_size)  # equal-sized steps
    order = [torch.empty(0, dtype=torch.long)]

    def batches(step: int, gen: torch.Generator) -> tuple[Tensor, Tensor]:
        if step % per_epoch == 0:
            order[0] = torch.randperm(len(images), generator=gen)
        idx = order[0][(step % per_epoch) * batch_size :][:batch_size]
        return images[idx].float().div_(255), labels[idx]

    return fit_lenet(batches, steps, seed, desc)


# What "auto" runs LeNet with on a CPU: ONNX Runtime is ~4× eager torch and compiles in < 0.1 s; OpenVINO is as
# fast but takes ~4 s to convert, more than it saves on the 20k images of an evaluation (features_speed.py).
AUTO_ORDER = ("onnxruntime",)
LENET_BATCH = 250  # images per call: the fastest measured for eager torch (2× 1,000's) and ONNX Runtime


class LeNetHeads(nn.Module):
    """Penultimate features and class probabilities side by side (N×(128+10)): one pass serves every LeNet metric,
    and one graph is what a compiled backend runs."""

    def __init__(self, model: LeNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> Tensor:
        features = self.model.features(x)
        return torch.cat([features, F.softmax(self.model.fc2(features).float(), dim=1)], dim=1)


@dataclass(frozen=True)
class LeNetOutputs:
    features: Tensor  # N×128 penultimate activations
    probs: Tensor  # N×10 class probabilities
    backend: str  # what ran the network (metrics.backends)


def _weights_digest(model: nn.Module) -> str:
    """Identity of a classifier's weights: the compiled-graph cache must never serve another model's graph."""
    h = hashlib.sha1()
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


@torch.inference_mode()
def lenet_outputs(model: LeNet, images01: Tensor, batch_size: int = LENET_BATCH, backend: str = "auto") -> LeNetOutputs:
    """Features and probabilities of images in [0, 1] (uint8 is accepted and scaled), in batches on `backend`.

    On a CPU the compiled graph ("auto": ONNX Runtime when installed) runs 10k images ~4× faster than eager
    torch, which matters for metrics that run during training and for Stacked MNIST's 3 digits per sample.
    """
    device = next(model.parameters()).device
    heads = LeNetHeads(model.eval())
    example = torch.zeros(2, 1, 28, 28)
    name = f"lenet-{_weights_digest(model)}"
    network = compile_network(name, lambda: heads, example, backend, device, order=AUTO_ORDER)
    out = []
    for chunk in images01.split(batch_size):
        x = chunk.to(device).float()
        if chunk.dtype == torch.uint8:
            x = x / 255
        out.append(network.run(x).float().cpu())
    both = torch.cat(out) if out else torch.empty(0, LeNet.feature_dim + 10)
    return LeNetOutputs(both[:, : LeNet.feature_dim], both[:, LeNet.feature_dim :], network.backend)


def classify(model: LeNet, images01: Tensor, batch_size: int = LENET_BATCH, backend: str = "auto") -> Tensor:
    """Class probabilities (N×10) of images in [0, 1] (uint8 is accepted too and scaled)."""
    return lenet_outputs(model, images01, batch_size, backend).probs


def penultimate_features(
    model: LeNet, images01: Tensor, batch_size: int = LENET_BATCH, backend: str = "auto"
) -> Tensor:
    """N×F penultimate activations, the feature space of a Fréchet distance on MNIST-like data."""
    return lenet_outputs(model, images01, batch_size, backend).features


def confident_share(probs: Tensor, threshold: float = 0.9) -> float:
    """Share of samples whose top class probability exceeds `threshold`: a proxy for legible digits."""
    return (probs.max(dim=1).values > threshold).float().mean().item()


def class_histogram_entropy(probs: Tensor) -> float:
    """Entropy (nats) of the predicted-class histogram; log(10)≈2.303 means all classes equally covered."""
    counts = torch.bincount(probs.argmax(dim=1), minlength=probs.shape[1]).double()
    p = counts / counts.sum()
    return float(-(p[p > 0] * p[p > 0].log()).sum())


def accuracy(model: LeNet, images: Tensor, labels: Tensor) -> float:
    """Share classified correctly, by eager torch: the cached test accuracy must not depend on what is installed."""
    return (classify(model, images, backend="torch").argmax(1) == labels).float().mean().item()


def save_atomic(obj: dict, path: Path) -> None:
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
    save_atomic({**blob, "dataset": dataset}, path)
    return model.to(device)
