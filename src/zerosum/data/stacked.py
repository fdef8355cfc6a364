"""Stacked MNIST (Metz et al. 2017; VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018): 1,000 known modes.

Each image stacks three MNIST digits, drawn independently and uniformly at random, as its R, G and B channels
(uint8 3×28×28); its label is the mode 100·a + 10·b + c of the digits a (R), b (G), c (B), class names "000".."999".
A generator that drops modes drops digit triples, which an MNIST classifier can count per channel.

The set is built in memory from MNIST, wherever `mnist` is found, deterministically given `data.params`:
- `n`: images per split (default: as many as the MNIST split has digits, 60,000 train / 10,000 test). PacGAN
  trains on 128,000; raise `n` to match (each image costs 2.4 kB, so 128,000 take 300 MB).
- `seed` (default 0): the train split uses it, the test split seed + 1, as the toy sets do.
The train split stacks train digits, the test split test digits; "all" is train then test.
"""

from __future__ import annotations

from typing import Any

import torch

from zerosum.config import DataConfig
from zerosum.data.dataset import ImageSet
from zerosum.data.registry import STACKED
from zerosum.data.transforms import prepare
from zerosum.errors import DataError

NAME = STACKED
CLASSES = tuple(f"{i:03d}" for i in range(1000))
_ALLOWED = ("n", "seed")


def _int_param(params: dict[str, Any], key: str, default: int | None, low: int) -> int | None:
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise DataError(f"data.params.{key} for {NAME} must be an integer >= {low}, got {value!r}")
    return value


def _params(params: dict[str, Any]) -> tuple[int | None, int]:
    unknown = sorted(set(params) - set(_ALLOWED))
    if unknown:
        raise DataError(f"unknown data.params {unknown} for {NAME}; allowed: {', '.join(_ALLOWED)}")
    return _int_param(params, "n", None, 1), _int_param(params, "seed", 0, 0)


def stack_digits(
    digits: torch.Tensor, labels: torch.Tensor, n: int, seed: int, keep: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (uint8 n×3×H×W) whose channels are digits[i], digits[j], digits[k] for uniform random i, j, k.

    `digits` is uint8 N×1×H×W. Returns (images, labels 100·a + 10·b + c). `keep` builds only the first `keep`
    of the n images: all n are drawn, so a prefix is the same whatever is kept."""
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(len(digits), (n, 3), generator=gen)[:keep]
    images = digits[idx.flatten(), 0].view(len(idx), 3, *digits.shape[2:])
    digit = labels[idx]
    return images, digit[:, 0] * 100 + digit[:, 1] * 10 + digit[:, 2]


def load_stacked(cfg: DataConfig) -> ImageSet:
    """The Stacked MNIST set `cfg` asks for, shaped by cfg.channels / size / resize and cut to cfg.limit."""
    from zerosum.data import load_dataset  # the package imports this module, so look it up at call time

    n, seed = _params(cfg.params)
    splits = ("train", "test") if cfg.split == "all" else (cfg.split,)
    images, labels, sources, left = [], [], [], cfg.limit
    for split in splits:
        if left is not None and left <= 0:
            break
        mnist = load_dataset(DataConfig(name="mnist", split=split, root=cfg.root))
        count = n if n is not None else len(mnist)
        x, y = stack_digits(mnist.images, mnist.labels, count, seed + (1 if split == "test" else 0), keep=left)
        left = None if left is None else left - len(y)
        images.append(x)
        labels.append(y)
        sources.append(mnist.source)
    x = prepare(torch.cat(images), cfg.channels, cfg.size, cfg.resize)
    source = f"stacked (seed {seed}) from {'; '.join(dict.fromkeys(sources))}"
    return ImageSet(x, torch.cat(labels), CLASSES, NAME, source)
