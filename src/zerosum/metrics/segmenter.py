"""The segmenter score of mask → photo runs (pix2pix's "FCN-score"): a segmenter trained on real `shapes` photos
is applied to generated photos, and its pixel accuracy against the masks they were drawn from says whether the
shapes are recognisable; the same segmenter on the real test photos gives the ceiling.

The segmenter is a small U-Net (the pix2pix generator's layout, 16 wide, no dropout) trained with cross-entropy on
the training split, deterministically, and cached with its real-image accuracy, like the project's LeNet.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import torch
from torch import Tensor, nn

from zerosum.atomic import atomic_write_bytes
from zerosum.config import DataConfig, Pix2PixConfig
from zerosum.data import load_dataset
from zerosum.data.sources import cache_dir
from zerosum.metrics.fitting import fit_adam
from zerosum.models.pix2pix import UNetGenerator

log = logging.getLogger("zerosum.metrics")

VERSION = 1
SEED = 4321
STEPS = 1500
BATCH = 32
WIDTH = 16


class Segmenter(nn.Module):
    """Photos in [0, 1] → class logits per pixel (the U-Net's tanh is left out: logits are unbounded)."""

    def __init__(self, shape: tuple[int, int, int], classes: int) -> None:
        super().__init__()
        cfg = Pix2PixConfig(ngf=WIDTH, dropout=0.0)
        self.net = UNetGenerator(cfg, shape, (classes, *shape[1:]))
        self.net.up[-1][-1] = nn.Identity()  # logits, not tanh

    def forward(self, x01: Tensor) -> Tensor:
        return self.net(x01 * 2 - 1)


def _path(data: DataConfig, size: int) -> Path:
    """One cache entry per dataset, size and generation parameters (another n or seed is another training set)."""
    params = hashlib.sha1(json.dumps(data.params, sort_keys=True).encode()).hexdigest()[:8]
    return cache_dir() / "classifiers" / f"segmenter-{data.name}-{size}-{params}.pt"


def train_segmenter(images: Tensor, masks: Tensor, classes: int, steps: int) -> Segmenter:
    """Cross-entropy training on uint8 photos and their masks, bit-identical for equal inputs and thread count."""

    def batches(step: int, gen: torch.Generator) -> tuple[Tensor, Tensor]:
        idx = torch.randint(len(images), (BATCH,), generator=gen)
        return images[idx].float() / 255, masks[idx].long()

    def make() -> Segmenter:
        return Segmenter(tuple(images.shape[1:]), classes)

    return fit_adam(make, batches, steps, SEED, "training the shapes segmenter")


@torch.inference_mode()
def segment(model: Segmenter, photos01: Tensor, batch: int = 256) -> Tensor:
    """N×H×W predicted classes of photos in [0, 1]."""
    return torch.cat([model(chunk.float()).argmax(1) for chunk in photos01.split(batch)])


def get_segmenter(data: DataConfig, shape: tuple[int, int, int], classes: int) -> tuple[Segmenter, float]:
    """The cached segmenter for the dataset's photos of `shape` with `classes` mask classes, and its pixel accuracy
    on the real test split; trained on first use, the only time the data is read."""
    train_cfg = DataConfig(name=data.name, size=data.size, params=data.params)
    path = _path(train_cfg, shape[1])
    model = Segmenter(shape, classes)
    if path.is_file():
        try:
            blob = torch.load(path, map_location="cpu", weights_only=True)
            if blob.get("version") == VERSION:
                model.load_state_dict(blob["state_dict"])
                return model.eval(), float(blob["real_accuracy"])
        except Exception:  # a damaged cache entry is retrained and replaced
            pass
    log.info("training the %s segmenter once (%d steps); cached in %s", data.name, STEPS, path)
    train = load_dataset(train_cfg)
    model = train_segmenter(train.images, train.masks, classes, STEPS)
    test = load_dataset(train_cfg.model_copy(update={"split": "test"}))
    accuracy = float((segment(model, test.images.float() / 255) == test.masks.long()).float().mean())
    blob = {"state_dict": model.state_dict(), "real_accuracy": accuracy, "version": VERSION}
    atomic_write_bytes(path, lambda f: torch.save(blob, f))
    return model, accuracy


def segmenter_score(ctx) -> dict:
    """Pixel accuracy of the segmenter on G's photos drawn from the held-out masks, beside its real-photo one."""
    t = ctx.translations()
    model, real = get_segmenter(ctx.data, tuple(t.outputs.shape[1:]), len(t.mask_classes))
    pred = segment(model, t.outputs)
    truth = t.inputs.argmax(1)
    value = float((pred == truth).float().mean())
    return {"value": value, "real": real, "ratio": value / real if real > 0 else float("nan"), "n": len(t)}
