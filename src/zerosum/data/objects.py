"""`objects`: synthetic 32×32 RGB "rooms", some holding one bright red object whose box is known exactly.

It exists for the DCGAN paper's "forgetting to draw objects" (Radford et al. 2015, §6.2): that experiment needs
bounding boxes of an object on generated images, which for real scenes means drawing them by hand. Here the object
is the only strongly red thing in the data, so a colour rule (`find_object`) finds it on any image, generated
ones included: boxes come for free and the object's pixel mass before/after forgetting can be measured.

Each image: a wall above and a floor below a random horizon (rows 10-22), each a muted colour (grey level plus a
small tint, so no background pixel is strongly red), a left-right lighting gradient, faint floorboard stripes and
pixel noise. With probability `p` (default 0.7) it holds one object: a red disc or square 6-12 px wide at a
random place. Label 1 = has an object, 0 = not; `generate(...).boxes` are the objects' pixel boxes
(x0, y0, x1, y1), x1/y1 exclusive, NaN rows where there is none.

`data.params`: n (images per split; default 20,000 train, 2,000 test), seed (default 0; test uses seed + 1, as
the toys do), p. Everything is generated in memory, vectorised: 20,000 images take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from zerosum.config import DataConfig
from zerosum.data.dataset import ImageSet
from zerosum.data.registry import OBJECTS
from zerosum.data.transforms import prepare
from zerosum.errors import ConfigError, DataError

NAME = OBJECTS
SIZE = 32
CLASSES = ("empty", "object")
DEFAULT_N = {"train": 20_000, "test": 2_000}
_ALLOWED = ("n", "seed", "p")
_CHUNK = 4096
# Object pixels have R ≥ 189 and G, B ≤ 35 (R − max(G, B) ≥ 150); the background's tint keeps that gap at most
# 40, so a threshold of 90 separates them with room for a generator's softer edges.
RED_GAP = 90
MIN_PIXELS = 4


@dataclass
class Rooms:
    """Generated images (uint8 N×3×32×32), labels (1 = object) and boxes (float N×4, NaN where no object)."""

    images: torch.Tensor
    labels: torch.Tensor
    boxes: torch.Tensor


def _params(params: dict[str, Any]) -> tuple[int | None, int, float]:
    unknown = sorted(set(params) - set(_ALLOWED))
    if unknown:
        raise DataError(f"unknown data.params {unknown} for {NAME}; allowed: {', '.join(_ALLOWED)}")
    n, seed, p = params.get("n"), params.get("seed", 0), params.get("p", 0.7)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise DataError(f"data.params.n for {NAME} must be an integer >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"data.params.seed for {NAME} must be an integer >= 0, got {seed!r}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise DataError(f"data.params.p for {NAME} must be a number in [0, 1], got {p!r}")
    return n, seed, float(p)


def _u(gen: torch.Generator, n: int, lo: float, hi: float, *shape: int) -> torch.Tensor:
    return torch.rand(n, *shape, generator=gen) * (hi - lo) + lo


def _chunk(gen: torch.Generator, n: int, p: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk of images (uint8 N×3×S×S) and their object masks (bool N×S×S)."""
    s = SIZE
    rows = torch.arange(s, dtype=torch.float32).view(1, s, 1)
    cols = torch.arange(s, dtype=torch.float32).view(1, 1, s)
    horizon = torch.randint(10, 23, (n, 1, 1), generator=gen).float()
    wall = _u(gen, n, 100, 210, 1) + _u(gen, n, -20, 20, 3)  # grey level + tint per channel
    floor = _u(gen, n, 50, 140, 1) + _u(gen, n, -20, 20, 3)
    below = (rows >= horizon).unsqueeze(1)  # N×1×S×1
    base = torch.where(below, floor[:, :, None, None], wall[:, :, None, None])  # N×3×S×1: each row's colour
    light = _u(gen, n, -30, 30, 1, 1, 1) * (cols.unsqueeze(0) / (s - 1) - 0.5)  # same shift in every channel
    boards = 6.0 * torch.sin(cols.unsqueeze(0) * _u(gen, n, 0.6, 1.2, 1, 1, 1)) * below
    shift = torch.randn(n, 1, s, s, generator=gen).mul_(3.0).add_(light).add_(boards)
    x = base + shift
    width = torch.randint(6, 13, (n, 1, 1), generator=gen).float()
    x0 = torch.floor(torch.rand(n, 1, 1, generator=gen) * (s - width + 1))
    y0 = torch.floor(torch.rand(n, 1, 1, generator=gen) * (s - width + 1))
    inx, iny = (cols >= x0) & (cols < x0 + width), (rows >= y0) & (rows < y0 + width)
    r = width / 2
    disc = (cols + 0.5 - x0 - r) ** 2 + (rows + 0.5 - y0 - r) ** 2 <= r * r
    is_disc = torch.rand(n, 1, 1, generator=gen) < 0.5
    has = torch.rand(n, 1, 1, generator=gen) < p
    mask = torch.where(is_disc, disc, inx & iny) & has
    red = torch.cat([_u(gen, n, 215, 250, 1), _u(gen, n, 0, 35, 2)], 1)[:, :, None, None]
    shade = 1.0 - 0.12 * (rows - y0).clamp(min=0).unsqueeze(1) / width.unsqueeze(1)  # a little darker at the bottom
    paint = (red * shade).round_().to(torch.uint8)  # N×3×S×1, cheaper to paste in uint8
    return torch.where(mask.unsqueeze(1), paint, x.round_().clamp_(0, 255).to(torch.uint8)), mask


def mask_boxes(mask: torch.Tensor) -> torch.Tensor:
    """Boxes (float N×4: x0, y0, x1, y1, x1/y1 exclusive) around each mask's True pixels; NaN for empty masks."""
    n, h, w = mask.shape
    cols, rows = mask.any(1), mask.any(2)  # N×W, N×H
    ar_w, ar_h = torch.arange(w), torch.arange(h)
    big = max(h, w) + 1
    x0 = torch.where(cols, ar_w, big).min(1).values
    x1 = torch.where(cols, ar_w, -1).max(1).values + 1
    y0 = torch.where(rows, ar_h, big).min(1).values
    y1 = torch.where(rows, ar_h, -1).max(1).values + 1
    boxes = torch.stack([x0, y0, x1, y1], 1).float()
    boxes[~cols.any(1)] = float("nan")
    return boxes


def generate(n: int, seed: int = 0, p: float = 0.7) -> Rooms:
    """n rooms at 32×32, deterministic given (n, seed, p). `data.limit` slices the full split rather than
    generating fewer, so a limited set is a prefix of the full one."""
    gen = torch.Generator().manual_seed(seed)
    images, masks = [], []
    for start in range(0, n, _CHUNK):
        x, m = _chunk(gen, min(_CHUNK, n - start), p)
        images.append(x)
        masks.append(m)
    mask = torch.cat(masks)
    return Rooms(torch.cat(images), mask.flatten(1).any(1).long(), mask_boxes(mask))


def _split_sets(cfg: DataConfig) -> list[Rooms]:
    n, seed, p = _params(cfg.params)
    splits = ("train", "test") if cfg.split == "all" else (cfg.split,)
    return [generate(n if n is not None else DEFAULT_N[s], seed + (s == "test"), p) for s in splits]


def load_objects(cfg: DataConfig) -> ImageSet:
    """The `objects` set `cfg` asks for, shaped by cfg.channels / size / resize and cut to cfg.limit."""
    _, seed, _ = _params(cfg.params)
    parts = _split_sets(cfg)
    images = torch.cat([r.images for r in parts])[: cfg.limit]
    labels = torch.cat([r.labels for r in parts])[: cfg.limit]
    x = prepare(images, cfg.channels, cfg.size, cfg.resize)
    return ImageSet(x, labels, CLASSES, NAME, f"generated (seed {seed})")


def true_boxes(cfg: DataConfig) -> torch.Tensor:
    """Ground-truth boxes (float N×4, NaN = no object) matching `load_objects(cfg)` image for image, in the
    pixels of cfg.size (boxes scale with the resize; the centre crop is a no-op since the images are square)."""
    boxes = torch.cat([r.boxes for r in _split_sets(cfg)])[: cfg.limit]
    return boxes * ((cfg.size or SIZE) / SIZE)


def _unit_rgb(images: torch.Tensor, value_range: tuple[float, float]) -> torch.Tensor:
    if images.dim() != 4 or images.shape[1] != 3:
        raise ConfigError(f"the red-object detector needs RGB images N×3×H×W, got shape {tuple(images.shape)}")
    if images.dtype == torch.uint8:
        return images.float()
    lo, hi = value_range
    return (images.detach().float().cpu() - lo) * (255.0 / (hi - lo))


def find_object(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """The object's pixels (bool N×H×W) by the colour rule R − max(G, B) > RED_GAP, for any image: uint8, or
    float in `value_range` (a generator's output). Works at any resolution, since it looks at colour only."""
    x = _unit_rgb(images, value_range)
    return (x[:, 0] - x[:, 1:].amax(1)) > RED_GAP


def object_boxes(mask: torch.Tensor, min_pixels: int = MIN_PIXELS) -> torch.Tensor:
    """One box per image around the largest connected blob of `mask` (so stray red pixels a generator sprinkles
    elsewhere do not stretch it); NaN where the largest blob has fewer than `min_pixels` pixels."""
    from scipy import ndimage

    keep = torch.zeros_like(mask)
    for i, m in enumerate(mask.cpu().numpy()):
        lab, count = ndimage.label(m)
        if count == 0:
            continue
        sizes = np.bincount(lab.ravel())[1:]
        if sizes.max() >= min_pixels:
            keep[i] = torch.from_numpy(lab == int(sizes.argmax()) + 1)
    return mask_boxes(keep)


def object_mass(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """Per image, the share of its pixels the detector calls object (float N)."""
    return find_object(images, value_range).flatten(1).float().mean(1)


def presence(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> dict[str, float]:
    """How much object a batch holds: `mass`, the share of object pixels, and `share`, the share of images
    whose largest red blob has at least MIN_PIXELS pixels (the object is there, not just a stray red pixel)."""
    mask = find_object(images, value_range)
    share = object_boxes(mask)[:, 0].isfinite().float().mean()
    return {"mass": float(mask.flatten(1).float().mean()), "share": float(share)}


def erased(before: torch.Tensor, after: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> float | None:
    """Share of the object's pixels in `before` that look like background in `after`: within 0.1 of the range
    (mean over RGB) of the median colour of a ring 2-3 px around the object. The red pixel mass only says the
    red is gone; this says whether the object went with it or stayed as another thing (the paper saw windows
    turn into other objects). None when `before` holds no object."""
    mask = find_object(before, value_range)
    grow = [F.max_pool2d(mask.float().unsqueeze(1), k, 1, k // 2).squeeze(1) > 0 for k in (3, 7)]
    ring = grow[1] & ~grow[0]
    x = _unit_rgb(after, value_range) / 255.0
    shares = []
    for i in torch.nonzero(mask.flatten(1).sum(1) >= MIN_PIXELS).flatten():
        background = x[i][:, ring[i]].median(1).values
        shares.append(((x[i][:, mask[i]] - background[:, None]).abs().mean(0) < 0.1).float().mean())
    return float(torch.stack(shares).mean()) if shares else None
