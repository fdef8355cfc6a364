"""In-memory datasets: the only thing a trainer or a metric ever sees of the data.

Images stay uint8 in host memory (4x smaller than float) and become float only for a batch, on the device, so a
60k-image set costs 180 MB instead of 740 MB and the host-to-device copy is 4x cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch


def _index(idx: torch.Tensor | slice | list[int], device: torch.device) -> torch.Tensor | slice:
    """An index on the storage's device (the host, or the GPU when the whole set was placed there)."""
    if isinstance(idx, torch.Tensor):
        return idx.to(device, torch.long)
    if isinstance(idx, list):
        return torch.as_tensor(idx, dtype=torch.long, device=device)
    return idx


def place(data, device: torch.device | str, budget: float = 0.25):
    """Move the whole set onto a GPU when it takes at most `budget` of the free memory there, so a batch is an
    on-device gather with no host-to-device copy; otherwise (and on the CPU) leave it where it is."""
    device = torch.device(device)
    if device.type != "cuda":
        return data
    free, _ = torch.cuda.mem_get_info(device)
    stored = data.points if data.kind == "points" else data.images  # pairs keep their images as an ImageSet
    stored = stored.images if hasattr(stored, "images") else stored
    if stored.numel() * stored.element_size() <= budget * free:
        data.to(device)
    return data


@dataclass
class ImageSet:
    """Images as uint8 N×C×H×W with int64 labels; `classes` is () when the set is unlabeled.

    `source` says where the bytes came from (for `zerosum data` and run reports); `skipped` counts unreadable
    files that were left out because the caller asked for `skip_bad`; `original` counts the decoded files' (H, W, C)
    before they were shaped, for the summary and the upscaling warning of data/summary.py (None: not recorded).
    `masks` (uint8 N×H×W class indices into `mask_classes`) are per-pixel labels, for sets that have them.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str
    source: str = ""
    skipped: int = 0
    original: dict[tuple[int, int, int], int] | None = None
    masks: torch.Tensor | None = None
    mask_classes: tuple[str, ...] = ()
    labelled: torch.Tensor | None = None  # `data.labelled`: indices of the images whose labels are kept
    kind: ClassVar[str] = "image"

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.dim() != 4:
            raise ValueError(f"ImageSet needs uint8 N×C×H×W images, got {self.images.dtype} {tuple(self.images.shape)}")
        if self.labels.shape != (self.images.shape[0],):
            raise ValueError(f"ImageSet needs {self.images.shape[0]} labels, got shape {tuple(self.labels.shape)}")
        if self.masks is not None:
            n, _, h, w = self.images.shape
            if self.masks.dtype != torch.uint8 or tuple(self.masks.shape) != (n, h, w):
                raise ValueError(f"ImageSet masks must be uint8 {n}×{h}×{w}, got {tuple(self.masks.shape)}")
            self.mask_classes = tuple(self.mask_classes)
        self.images = self.images.contiguous()
        self.labels = self.labels.to(torch.int64)
        self.classes = tuple(self.classes)

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def shape(self) -> tuple[int, int, int]:
        c, h, w = self.images.shape[1:]
        return int(c), int(h), int(w)

    @property
    def channels(self) -> int:
        return self.shape[0]

    @property
    def size(self) -> int:
        return self.shape[1]

    def batch(
        self,
        idx: torch.Tensor | slice | list[int],
        value_range: tuple[float, float] = (-1.0, 1.0),
        device: torch.device | str | None = None,
    ) -> torch.Tensor:
        """Float32 images for `idx`, mapped linearly from [0, 255] to `value_range`.

        The uint8 gather happens on the host and the float conversion on `device`, which keeps the copy small.
        """
        x = self.images[_index(idx, self.images.device)]
        if device is not None:
            x = x.to(device, non_blocking=True)
        lo, hi = float(value_range[0]), float(value_range[1])
        return x.to(torch.float32).mul_((hi - lo) / 255.0).add_(lo)

    def labelled_only(self) -> ImageSet:
        """The images whose labels are kept (`labelled`), as a set of their own: what a conditional GAN trained on
        few labels sees."""
        if self.labelled is None:
            return self
        idx = self.labelled.to(self.images.device)
        masks = self.masks[idx] if self.masks is not None else None
        return ImageSet(
            self.images[idx], self.labels[idx], self.classes, self.name, self.source, self.skipped, self.original,
            masks, self.mask_classes,
        )  # fmt: skip

    def to(self, device: torch.device | str) -> ImageSet:
        """Keep the images (still uint8), labels and masks on `device`; batches are then gathered there."""
        self.images, self.labels = self.images.to(device), self.labels.to(device)
        if self.masks is not None:
            self.masks = self.masks.to(device)
        return self

    def pixel_mean(self) -> torch.Tensor:
        """Mean image in [0, 1] (float32 C×H×W); the MLP GAN starts its output bias from it."""
        total = torch.zeros(self.shape, dtype=torch.float64, device=self.images.device)
        for start in range(0, len(self), 8192):
            total += self.images[start : start + 8192].sum(0, dtype=torch.float64)
        return (total / max(len(self), 1) / 255.0).to(torch.float32).cpu()


@dataclass
class PointSet:
    """Low-dimensional toy data (float32 N×D); `labels` is the mixture component each point was drawn from."""

    points: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    name: str
    modes: torch.Tensor | None
    std: float
    source: str = "generated"
    skipped: int = 0
    kind: ClassVar[str] = "points"

    def __post_init__(self) -> None:
        if self.points.dim() != 2:
            raise ValueError(f"PointSet needs N×D points, got shape {tuple(self.points.shape)}")
        self.points = self.points.to(torch.float32).contiguous()
        self.labels = self.labels.to(torch.int64)
        self.classes = tuple(self.classes)

    def __len__(self) -> int:
        return int(self.points.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def shape(self) -> tuple[int]:
        return (int(self.points.shape[1]),)

    def batch(
        self,
        idx: torch.Tensor | slice | list[int],
        value_range: tuple[float, float] | None = None,
        device: torch.device | str | None = None,
    ) -> torch.Tensor:
        """Float32 points for `idx`; `value_range` is accepted for a uniform call site and ignored."""
        x = self.points[_index(idx, self.points.device)]
        return x.to(device) if device is not None else x.clone()

    def to(self, device: torch.device | str) -> PointSet:
        self.points, self.labels = self.points.to(device), self.labels.to(device)
        return self
