"""Shape a uint8 image batch the way a run asks: channels, then shorter side to `size`, then a center crop.

Everything works on whole N×C×H×W batches with `torch.nn.functional.interpolate` (in chunks, to bound the
float32 copy), so 60k small images take seconds. An image already at the requested size is returned untouched:
resampling it "to the same size" would still blur it a little with some kernels, and tests compare bytes.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from zerosum.progress import progress
from zerosum.sizes import image_size

CHUNK = 4096

# ITU-R 601 luma with PIL's fixed-point weights, so gray conversion here equals `Image.convert("L")` bit for bit.
_LUMA = (19595, 38470, 7471)


def rgb_to_gray(x: torch.Tensor) -> torch.Tensor:
    """uint8 N×3×H×W → N×1×H×W with L = 0.299 R + 0.587 G + 0.114 B, rounded."""
    r, g, b = (x[:, i : i + 1].to(torch.int32) for i in range(3))
    return ((r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2] + 32768) >> 16).to(torch.uint8)


def to_channels(x: torch.Tensor, channels: int | None) -> torch.Tensor:
    """Gray ↔ RGB for a uint8 N×C×H×W batch; None keeps what the data has."""
    have = x.shape[1]
    if channels is None or channels == have:
        return x
    if have == 1 and channels == 3:
        return x.expand(-1, 3, -1, -1).contiguous()
    if have == 3 and channels == 1:
        return rgb_to_gray(x)
    raise ValueError(f"cannot convert {have} channels to {channels}")


def target_shape(h: int, w: int, size: int) -> tuple[int, int]:
    """(H, W) after scaling the shorter side to `size` with the aspect ratio kept (the longer side rounded)."""
    if h <= w:
        return size, max(size, round(w * size / h))
    return max(size, round(h * size / w)), size


def _resample(x: torch.Tensor, hw: tuple[int, int], mode: str) -> torch.Tensor:
    """uint8 → uint8 resampling. "area" averages boxes when shrinking and is bilinear when enlarging (box
    upsampling would only replicate pixels); "bicubic" is antialiased when shrinking."""
    shrink = hw[0] < x.shape[2]
    out = torch.empty((x.shape[0], x.shape[1], *hw), dtype=torch.uint8)
    with progress(x.shape[0], f"resizing to {image_size(hw)}", unit="img") as bar:  # 50k CIFAR-10 to 64: ~12 s
        for start in range(0, x.shape[0], CHUNK):
            xf = x[start : start + CHUNK].to(torch.float32)
            if mode == "area" and shrink:
                y = F.interpolate(xf, size=hw, mode="area")
            elif mode == "area":
                y = F.interpolate(xf, size=hw, mode="bilinear", align_corners=False)
            elif mode == "bicubic":
                y = F.interpolate(xf, size=hw, mode="bicubic", align_corners=False, antialias=shrink)
            else:
                raise ValueError(f"unknown resize mode {mode!r}; use 'area' or 'bicubic'")
            out[start : start + CHUNK] = y.round_().clamp_(0, 255).to(torch.uint8)
            bar.update(len(y))
    return out


def center_crop(x: torch.Tensor, size: int) -> torch.Tensor:
    h, w = x.shape[2], x.shape[3]
    top, left = (h - size) // 2, (w - size) // 2
    return x[:, :, top : top + size, left : left + size]


def resize_crop(x: torch.Tensor, size: int | None, mode: str = "area") -> torch.Tensor:
    """Shorter side to `size`, then center crop to size×size; an exact no-op when already size×size."""
    if size is None:
        return x
    h, w = int(x.shape[2]), int(x.shape[3])
    if (h, w) == (size, size):
        return x
    hw = target_shape(h, w, size)
    if hw != (h, w):
        x = _resample(x, hw, mode)
    return center_crop(x, size).contiguous()


def prepare(x: torch.Tensor, channels: int | None, size: int | None, mode: str = "area") -> torch.Tensor:
    """Channels and size together, in the cheaper order: drop color before resampling, add it after."""
    if channels == 1:
        x = to_channels(x, 1)
    x = resize_crop(x, size, mode)
    return to_channels(x, channels).contiguous()
