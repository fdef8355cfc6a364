"""(input, target) pairs built on the fly from an image dataset: what the image-to-image families train on.

Images stay uint8 in memory, as every other set does; a batch's pairs are made on the device when drawn:

- `upscale`: target = the image; input = its degradation: an optional Gaussian blur (σ in target pixels), the
  downscale by `factor` (antialiased bicubic, which is what MATLAB's `imresize` and PIL compute and what SR papers
  train and test on, or the mean of each factor × factor block), an optional Gaussian noise, then rounded to
  8 bits like a stored low-resolution image. Without noise the input is a function of the image alone, so the
  held-out pairs are the same at every evaluation.
- `photo_to_mask` / `mask_to_photo`: the image and its mask, the mask as one-hot maps (K channels, the
  range's low end off and high end on), which is how pix2pix feeds label maps to its U-Net and reads them back
  (argmax over the channels).

The test pairs: the dataset's test split, or, when `pairs.test_classes` is set, the images of those classes
(Olivetti's last four subjects), which training then leaves out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import ClassVar

import torch
import torch.nn.functional as F
from torch import Tensor

from zerosum.config import DataConfig, PairsConfig
from zerosum.data.dataset import ImageSet
from zerosum.errors import DataError
from zerosum.sizes import image_size

SILHOUETTE_CLASSES = ("background", "object")


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Separable Gaussian blur of N×C×H×W, kernel radius ⌈3σ⌉, reflected borders (identity for σ = 0)."""
    if sigma <= 0:
        return x
    radius = max(int(math.ceil(3 * sigma)), 1)
    t = torch.arange(-radius, radius + 1, dtype=torch.float32, device=x.device)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = (k / k.sum()).to(x.dtype)
    c = x.shape[1]
    pad = min(radius, x.shape[-1] - 1, x.shape[-2] - 1)
    if pad < radius:  # a kernel wider than the image: replicate beyond what reflection can give
        x = F.pad(x, (pad, pad, pad, pad), mode="reflect")
        x = F.pad(x, (radius - pad,) * 4, mode="replicate")
    else:
        x = F.pad(x, (radius,) * 4, mode="reflect")
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def downscale(x01: Tensor, factor: int, how: str) -> Tensor:
    """N×C×H×W in [0, 1] → N×C×(H/f)×(W/f): antialiased bicubic (PIL's and MATLAB imresize's filter) or block means."""
    if how == "area":
        return F.avg_pool2d(x01, factor)
    h, w = x01.shape[-2] // factor, x01.shape[-1] // factor
    return F.interpolate(x01, size=(h, w), mode="bicubic", antialias=True, align_corners=False)


def bicubic_upscale(x01: Tensor, factor: int) -> Tensor:
    """The baseline every SR table starts from: bicubic interpolation to factor × the side, clamped to [0, 1]."""
    return F.interpolate(x01, scale_factor=factor, mode="bicubic", align_corners=False).clamp_(0, 1)


def quantise(x01: Tensor) -> Tensor:
    """Round to the 256 levels a stored 8-bit image has."""
    return x01.clamp(0, 1).mul(255).round_().div_(255)


def degrade(x01: Tensor, pairs: PairsConfig, generator: torch.Generator | None = None) -> Tensor:
    """The low-resolution input of `upscale` for targets in [0, 1]: blur, downscale, noise, 8 bits."""
    lr = downscale(gaussian_blur(x01, pairs.blur), pairs.factor, pairs.degrade)
    if pairs.noise > 0:
        draw_on = generator.device if generator is not None else lr.device
        lr = lr + pairs.noise * torch.randn(lr.shape, generator=generator, device=draw_on).to(lr.device)
    return quantise(lr)


def one_hot(masks: Tensor, k: int, value_range: tuple[float, float]) -> Tensor:
    """uint8/long N×H×W class indices → float N×K×H×W maps at value_range's ends."""
    lo, hi = value_range
    maps = F.one_hot(masks.long(), k).permute(0, 3, 1, 2).to(torch.float32)
    return maps * (hi - lo) + lo


def to_range(x01: Tensor, value_range: tuple[float, float]) -> Tensor:
    lo, hi = value_range
    return x01 * (hi - lo) + lo


def from_range(x: Tensor, value_range: tuple[float, float]) -> Tensor:
    lo, hi = value_range
    return ((x.float() - lo) / (hi - lo)).clamp(0, 1)


@dataclass
class PairSet:
    """An image set and how its pairs are made. `shape` is what G outputs, `input_shape` what it takes."""

    images: ImageSet
    pairs: PairsConfig
    masks: Tensor | None = None  # uint8 N×H×W, for the mask tasks
    mask_classes: tuple[str, ...] = ()
    kind: ClassVar[str] = "pairs"

    def __len__(self) -> int:
        return len(self.images)

    @property
    def name(self) -> str:
        return self.images.name

    @property
    def source(self) -> str:
        return self.images.source

    @property
    def skipped(self) -> int:
        return self.images.skipped

    @property
    def task(self) -> str:
        return self.pairs.task

    @property
    def num_classes(self) -> int:
        return 0  # a translator is not class-conditional; the mask classes are in `mask_classes`

    @property
    def classes(self) -> tuple[str, ...]:
        return ()

    @property
    def labels(self) -> Tensor:
        return self.images.labels

    @property
    def mask_shape(self) -> tuple[int, int, int]:
        _, h, w = self.images.shape
        return len(self.mask_classes), h, w

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.mask_shape if self.task == "photo_to_mask" else self.images.shape

    @property
    def input_shape(self) -> tuple[int, int, int]:
        if self.task == "upscale":
            c, h, w = self.images.shape
            return c, h // self.pairs.factor, w // self.pairs.factor
        return self.mask_shape if self.task == "mask_to_photo" else self.images.shape

    def to(self, device: torch.device | str) -> PairSet:
        self.images.to(device)
        if self.masks is not None:
            self.masks = self.masks.to(device)
        return self

    def batch(
        self,
        idx: Tensor | slice | list[int],
        value_range: tuple[float, float] = (-1.0, 1.0),
        device: torch.device | str | None = None,
        generator: torch.Generator | None = None,
        augment: bool = False,
    ) -> tuple[Tensor, Tensor]:
        """(inputs, targets) for `idx`, both in `value_range`; `generator` draws the upscale input's noise and, with
        `augment` (training batches) and `pairs.flip`, which pairs are mirrored."""
        photo01 = self.images.batch(idx, value_range=(0.0, 1.0), device=device)
        masks = None
        if self.task != "upscale":
            where = idx if isinstance(idx, slice) else torch.as_tensor(idx, dtype=torch.long).to(self.masks.device)
            masks = self.masks[where].to(photo01.device)
        if augment and self.pairs.flip:
            draw_on = generator.device if generator is not None else photo01.device
            mirror = (torch.rand(len(photo01), generator=generator, device=draw_on) < 0.5).to(photo01.device)
            photo01 = torch.where(mirror.view(-1, 1, 1, 1), photo01.flip(-1), photo01)
            if masks is not None:
                masks = torch.where(mirror.view(-1, 1, 1), masks.flip(-1), masks)
        if self.task == "upscale":
            return to_range(degrade(photo01, self.pairs, generator), value_range), to_range(photo01, value_range)
        maps = one_hot(masks, len(self.mask_classes), value_range)
        photo = to_range(photo01, value_range)
        return (photo, maps) if self.task == "photo_to_mask" else (maps, photo)


def _masks(images: ImageSet, pairs: PairsConfig) -> tuple[Tensor, tuple[str, ...]]:
    if pairs.masks == "threshold":
        if images.channels != 1:
            raise DataError(
                f"data.pairs.masks=threshold makes silhouettes of grey images; {images.name} is RGB: "
                "set data.channels=1"
            )
        return (images.images[:, 0] > pairs.threshold).to(torch.uint8), SILHOUETTE_CLASSES
    if images.masks is None:
        raise DataError(
            f"{images.name} has no masks: use data.name=shapes, or data.pairs.masks=threshold for silhouettes of "
            "grey images"
        )
    k = len(images.mask_classes)
    top = int(images.masks.max()) if len(images) else 0
    if top >= k:
        raise DataError(f"{images.name}: a mask holds class {top} but only {k} classes are named (0-{k - 1})")
    return images.masks, images.mask_classes


def make_pairs(images: ImageSet, pairs: PairsConfig) -> PairSet:
    """A `PairSet` of `images`, checked: sizes for the factor, masks for the mask tasks."""
    if pairs.task == "upscale":
        _, h, w = images.shape
        f = pairs.factor
        if h < f or w < f or h % f or w % f:
            raise DataError(
                f"{images.name}'s {image_size((h, w))} images cannot be upscaled ×{f}: the side must be a multiple of "
                f"the factor; set data.size to one (e.g. {max(f, (h // f) * f)}) or choose another data.pairs.factor"
            )
        return PairSet(images, pairs)
    masks, classes = _masks(images, pairs)
    return PairSet(images, pairs, masks, classes)


def _subset(images: ImageSet, keep: Tensor) -> ImageSet:
    idx = torch.nonzero(keep).flatten()
    masks = images.masks[idx] if images.masks is not None else None
    return replace(images, images=images.images[idx], labels=images.labels[idx], masks=masks)


def _by_classes(images: ImageSet, names: list[str], held_out: bool) -> ImageSet:
    missing = [n for n in names if n not in images.classes]
    if missing:
        known = ", ".join(images.classes[:6]) + (", ..." if len(images.classes) > 6 else "")
        raise DataError(f"data.pairs.test_classes {missing} are not classes of {images.name} ({known or 'none'})")
    codes = torch.tensor([images.classes.index(n) for n in names])
    chosen = torch.isin(images.labels, codes)
    return _subset(images, chosen if held_out else ~chosen)


def load_pairs(data: DataConfig, split: str = "train") -> PairSet:
    """The training pairs (`split="train"`: the configured split, without held-out classes) or the held-out test
    pairs (`"test"`) of a config whose `data.pairs` is set."""
    from zerosum.data.load import load_dataset

    pairs = data.pairs
    if pairs is None:
        raise DataError("data.pairs is not set: this config does not describe image pairs")
    if pairs.test_classes:
        images = _by_classes(load_dataset(data), pairs.test_classes, held_out=split == "test")
    else:
        images = load_dataset(data if split == "train" else data.model_copy(update={"split": "test"}))
    if not len(images):
        raise DataError(f"no {split} images are left for the pairs of {data.name}; check data.pairs.test_classes")
    return make_pairs(images, pairs)
