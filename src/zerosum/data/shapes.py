"""`shapes`: generated RGB images of ellipses, rectangles and triangles on textured backgrounds, with the exact
per-pixel class mask of each: the segmentation data of the image-to-image family (photo → mask, mask → photo).

Mask classes: 0 background, 1 ellipse, 2 rectangle, 3 triangle. Each image holds one to three shapes drawn in
order, so a later shape hides what it covers and the mask says what is visible. A shape's class is in its outline
only: its colour is drawn at random (kept at least 60 grey levels off the background's, so it can be seen), the
ellipses and rectangles are turned by a random angle, the triangles have random corners, and the sizes overlap
across classes. The background is a random colour with a smooth left-right and top-bottom shading, a low-frequency
wave texture and pixel noise; every shape gets a little shading of its own and the same pixel noise.

`data.params`: n (images per split; default 10,000 train, 1,000 test), seed (default 0; the test split uses
seed + 1, as the other generated sets do). The images are drawn at `data.size` (default 32, any side from 16 to
256) rather than resized, so masks stay exact. Everything is generated in memory, vectorised, in chunks.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from zerosum.config import DataConfig
from zerosum.data.dataset import ImageSet
from zerosum.data.registry import SHAPES
from zerosum.errors import DataError

NAME = SHAPES
SIZE = 32
MASK_CLASSES = ("background", "ellipse", "rectangle", "triangle")
DEFAULT_N = {"train": 10_000, "test": 1_000}
MAX_SHAPES = 3
HALF_SIZE = (0.11, 0.28)  # half-axes / half-sides, in units of the image side
_ALLOWED = ("n", "seed")
_CHUNK = 2048


def _params(params: dict[str, Any]) -> tuple[int | None, int]:
    unknown = sorted(set(params) - set(_ALLOWED))
    if unknown:
        raise DataError(f"unknown data.params {unknown} for {NAME}; allowed: {', '.join(_ALLOWED)}")
    n, seed = params.get("n"), params.get("seed", 0)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise DataError(f"data.params.n for {NAME} must be an integer >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DataError(f"data.params.seed for {NAME} must be an integer >= 0, got {seed!r}")
    return n, seed


def _u(gen: torch.Generator, lo: float, hi: float, *shape: int) -> torch.Tensor:
    return torch.rand(*shape, generator=gen) * (hi - lo) + lo


def _background(gen: torch.Generator, n: int, s: int, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """N×3×S×S float backgrounds in grey levels: colour + shading + waves (noise comes later, over everything)."""
    colour = _u(gen, 50, 205, n, 3, 1, 1)
    slope = _u(gen, -25, 25, n, 2, 1, 1)
    shade = slope[:, :1] * (xs - 0.5) + slope[:, 1:] * (ys - 0.5)
    freq = _u(gen, 2, 6, n, 2, 1, 1) * math.pi
    phase = _u(gen, 0, 2 * math.pi, n, 2, 1, 1)
    amp = _u(gen, 4, 14, n, 1, 1, 1)
    waves = amp * torch.sin(freq[:, :1] * xs + phase[:, :1]) * torch.sin(freq[:, 1:] * ys + phase[:, 1:])
    return colour + shade + waves


def _inside(gen: torch.Generator, n: int, kind: torch.Tensor, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """N×S×S bool: the pixels (by their centres, in units of the image side) inside one shape per image."""
    cx, cy = _u(gen, 0.2, 0.8, n, 1, 1), _u(gen, 0.2, 0.8, n, 1, 1)
    a, b = _u(gen, *HALF_SIZE, n, 1, 1), _u(gen, *HALF_SIZE, n, 1, 1)
    angle = _u(gen, 0, math.pi, n, 1, 1)
    dx, dy = xs[:, 0] - cx, ys[:, 0] - cy
    cos, sin = torch.cos(angle), torch.sin(angle)
    u, v = cos * dx + sin * dy, -sin * dx + cos * dy
    ellipse = (u / a) ** 2 + (v / b) ** 2 <= 1.0
    rectangle = (u.abs() <= a * 0.9) & (v.abs() <= b * 0.9)  # a little smaller: the same area as the ellipse's range
    # a triangle: three corners 120° ± 25° apart around the centre, at 1.3-1.8 × √(ab) (about the ellipse's area)
    turns = angle + torch.cumsum(_u(gen, 2 * math.pi / 3 - 0.45, 2 * math.pi / 3 + 0.45, n, 1, 3), dim=2)
    radius = torch.sqrt(a * b) * _u(gen, 1.3, 1.8, n, 1, 3)
    px, py = cx + radius * torch.cos(turns), cy + radius * torch.sin(turns)
    sides = []
    for i in range(3):
        j = (i + 1) % 3
        ax, ay, bx, by = px[..., i : i + 1], py[..., i : i + 1], px[..., j : j + 1], py[..., j : j + 1]
        sides.append((bx - ax) * (ys[:, 0] - ay) - (by - ay) * (xs[:, 0] - ax))
    cross = torch.stack(sides)
    triangle = (cross >= 0).all(0) | (cross <= 0).all(0)
    k = kind.view(n, 1, 1)
    return torch.where(k == 1, ellipse, torch.where(k == 2, rectangle, triangle))


def _chunk(gen: torch.Generator, n: int, s: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One chunk: images (uint8 N×3×S×S) and masks (uint8 N×S×S of class indices)."""
    grid = (torch.arange(s, dtype=torch.float32) + 0.5) / s
    xs, ys = grid.view(1, 1, 1, s), grid.view(1, 1, s, 1)
    x = _background(gen, n, s, xs, ys)
    mask = torch.zeros(n, s, s, dtype=torch.uint8)
    count = torch.randint(1, MAX_SHAPES + 1, (n,), generator=gen)
    base_grey = x.mean(dim=(1, 2, 3))
    for slot in range(MAX_SHAPES):
        kind = torch.randint(1, len(MASK_CLASSES), (n,), generator=gen)
        inside = _inside(gen, n, kind, xs, ys) & (slot < count).view(n, 1, 1)
        sign = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
        sign = torch.where(base_grey < 95, 1.0, torch.where(base_grey > 160, -1.0, sign))  # room to be seen
        grey = base_grey + sign * _u(gen, 60, 110, n)
        colour = (grey.view(n, 1, 1, 1) + _u(gen, -35, 35, n, 3, 1, 1)).clamp(0, 255)
        tilt = _u(gen, -12, 12, n, 2, 1, 1)
        paint = colour + tilt[:, :1] * (xs - 0.5) + tilt[:, 1:] * (ys - 0.5)
        x = torch.where(inside.unsqueeze(1), paint, x)
        mask = torch.where(inside, kind.view(n, 1, 1).to(torch.uint8), mask)
    x = x + torch.randn(x.shape, generator=gen) * 6.0
    return x.round_().clamp_(0, 255).to(torch.uint8), mask


def generate(n: int, seed: int = 0, size: int = SIZE) -> tuple[torch.Tensor, torch.Tensor]:
    """(images uint8 N×3×S×S, masks uint8 N×S×S), deterministic given (n, seed, size); a limited set is a prefix
    of the full one, since `data.limit` slices rather than generating fewer."""
    gen = torch.Generator().manual_seed(seed)
    parts = [_chunk(gen, min(_CHUNK, n - start), size) for start in range(0, n, _CHUNK)]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def load_shapes(cfg: DataConfig) -> ImageSet:
    """The `shapes` split(s) `cfg` asks for at `data.size`, cut to `data.limit`, masks attached."""
    n, seed = _params(cfg.params)
    size = cfg.size or SIZE
    if not 16 <= size <= 256:
        raise DataError(f"{NAME} draws its images at data.size from 16 to 256, got {size}")
    if cfg.channels == 1:
        raise DataError(f"{NAME} is an RGB set (its shapes differ from the background in colour); drop data.channels")
    splits = ("train", "test") if cfg.split == "all" else (cfg.split,)
    parts = [generate(n if n is not None else DEFAULT_N[s], seed + (s == "test"), size) for s in splits]
    images = torch.cat([p[0] for p in parts])[: cfg.limit]
    masks = torch.cat([p[1] for p in parts])[: cfg.limit]
    labels = torch.zeros(len(images), dtype=torch.int64)
    return ImageSet(images, labels, (), NAME, f"generated (seed {seed})", masks=masks, mask_classes=MASK_CLASSES)
