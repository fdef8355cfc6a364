"""Which pixels of an image are known, and how much each known pixel should count when completing the rest.

A mask is a bool tensor N×1×H×W, True where the pixel is KNOWN (shared by all channels). The five kinds follow
the cases of Yeh et al. (2017), "Semantic Image Inpainting with Deep Generative Models":

    center   a centered square hole of side size//2 (25 % of the pixels missing)
    random   each pixel missing with probability 0.8 (seeded, one draw per image)
    left     the left half missing
    grid     a checkerboard of square cells (side max(2, size//8)); every other cell missing
    lowres   only every 4th pixel in each direction known (a 4× downsampled image to fill in)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from zerosum.errors import ConfigError

MASKS = ("center", "random", "left", "grid", "lowres")
RANDOM_DROP = 0.8
LOWRES_STRIDE = 4


def _single(name: str, size: int) -> torch.Tensor:
    """The H×W known-pixel pattern of a deterministic mask kind."""
    rows = torch.arange(size).view(-1, 1)
    cols = torch.arange(size).view(1, -1)
    if name == "center":
        side = size // 2
        lo = (size - side) // 2
        hole = (rows >= lo) & (rows < lo + side) & (cols >= lo) & (cols < lo + side)
        return ~hole
    if name == "left":
        return (cols >= size // 2).expand(size, size)
    if name == "grid":
        cell = max(2, size // 8)
        return ((rows // cell + cols // cell) % 2 == 0).expand(size, size)
    if name == "lowres":
        return ((rows % LOWRES_STRIDE == 0) & (cols % LOWRES_STRIDE == 0)).expand(size, size)
    raise AssertionError(name)


def make_mask(name: str, size: int, n: int = 1, seed: int = 0) -> torch.Tensor:
    """Known-pixel masks (bool n×1×size×size) of kind `name`; `seed` only matters for "random"."""
    if name not in MASKS:
        raise ConfigError(f"--mask {name!r} is not a mask kind; choose one of {', '.join(MASKS)}")
    if size < 2:
        raise ConfigError(f"masks need images of at least 2×2 pixels, got {size}×{size}")
    if name == "random":
        gen = torch.Generator().manual_seed(seed)
        known = torch.rand(n, 1, size, size, generator=gen) >= RANDOM_DROP
        # An image with no known pixel at all cannot be completed: keep at least its top-left corner.
        known[:, :, 0, 0] |= ~known.flatten(1).any(dim=1).view(n, 1)
        return known
    return _single(name, size).view(1, 1, size, size).expand(n, 1, size, size).clone()


def known_fraction(known: torch.Tensor) -> torch.Tensor:
    """Fraction of known pixels per image (shape n)."""
    return known.flatten(1).float().mean(dim=1)


def contextual_weights(known: torch.Tensor, window: int = 7, floor: float = 0.0) -> torch.Tensor:
    """Yeh et al.'s importance weights: a known pixel counts by the fraction of missing pixels in the window×window
    neighbourhood around it (so pixels next to the hole, which decide whether the fill fits, matter most), plus
    `floor` so far-away context still counts a little; missing pixels weigh 0. Returns float n×1×H×W.

    The neighbourhood is clipped at the image border (the fraction is over the pixels that exist there).
    """
    if window < 1 or window % 2 == 0:
        raise ConfigError(f"the contextual window must be an odd number of pixels, got {window}")
    missing = (~known).float()
    frac = F.avg_pool2d(missing, window, stride=1, padding=window // 2, count_include_pad=False)
    return torch.where(known, frac + floor, torch.zeros_like(frac))


__all__ = ["MASKS", "contextual_weights", "known_fraction", "make_mask"]
