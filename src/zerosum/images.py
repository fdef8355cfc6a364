"""Image grids and files (torchvision is not usable here, so this is the small part of it we need).

Conventions: tensors are C×H×W / N×C×H×W, numpy arrays are H×W×C (or H×W). Files are written atomically
(temporary file in the same folder, then `os.replace`), so a crash never leaves a half-written PNG that a
report or a resumed run would then read.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from zerosum.atomic import atomic_write_bytes


def to_uint8(images: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """Float images in `value_range` → uint8 (clamped, rounded, NaN → low end); uint8 passes through."""
    if images.dtype == torch.uint8:
        return images
    lo, hi = float(value_range[0]), float(value_range[1])
    x = torch.nan_to_num(images.detach().to("cpu", torch.float32), nan=lo)
    return ((x - lo) * (255.0 / (hi - lo))).round_().clamp_(0, 255).to(torch.uint8)


def make_grid(
    images: torch.Tensor,
    nrow: int = 8,
    padding: int = 2,
    value_range: tuple[float, float] = (-1.0, 1.0),
    pad_value: int = 0,
) -> np.ndarray:
    """N×C×H×W (float in `value_range`, or uint8) → one uint8 H×W×C picture, `nrow` images per row.

    `pad_value` is the uint8 level of the gaps and of empty cells (0 black, 255 white).
    """
    if images.dim() == 3:
        images = images.unsqueeze(0)
    if images.dim() != 4 or images.shape[1] not in (1, 3, 4):
        raise ValueError(f"make_grid needs N×C×H×W images with C in 1, 3, 4; got shape {tuple(images.shape)}")
    x = to_uint8(images, value_range).cpu()
    n, c, h, w = x.shape
    cols = max(1, min(nrow, n))
    rows = max(1, math.ceil(n / cols))
    grid = torch.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value, dtype=torch.uint8)
    for i in range(n):
        top = padding + (i // cols) * (h + padding)
        left = padding + (i % cols) * (w + padding)
        grid[:, top : top + h, left : left + w] = x[i]
    return grid.permute(1, 2, 0).contiguous().numpy()


def _as_hwc(image: np.ndarray | torch.Tensor) -> np.ndarray:
    """A numpy H×W(×C) array, or a C×H×W tensor (float taken as [0, 1]), as uint8 H×W or H×W×C."""
    if isinstance(image, torch.Tensor):
        t = to_uint8(image, (0.0, 1.0)).cpu()
        image = t.permute(1, 2, 0).numpy() if t.dim() == 3 else t.numpy()
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {arr.dtype}; convert with to_uint8 first")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ValueError(f"cannot save an image of shape {arr.shape}; expected H×W, H×W×3 or H×W×4")
    return np.ascontiguousarray(arr)


def _write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    return atomic_write_bytes(path, lambda f: f.write(data))


def png_bytes(image: np.ndarray | torch.Tensor) -> bytes:
    """A uint8 H×W(×C) array or a C×H×W tensor encoded as PNG."""
    buf = io.BytesIO()
    Image.fromarray(_as_hwc(image)).save(buf, format="PNG")
    return buf.getvalue()


def save_png(path: str | os.PathLike, image: np.ndarray | torch.Tensor) -> Path:
    """Write a uint8 H×W(×C) array or a C×H×W tensor as PNG, atomically."""
    return _write_atomic(path, png_bytes(image))


def save_grid(
    path: str | os.PathLike,
    images: torch.Tensor,
    nrow: int = 8,
    value_range: tuple[float, float] = (-1.0, 1.0),
    padding: int = 2,
) -> Path:
    """`make_grid` + `save_png`."""
    return save_png(path, make_grid(images, nrow=nrow, padding=padding, value_range=value_range))


def load_image(path: str | os.PathLike, channels: int | None = None) -> torch.Tensor:
    """One image file as uint8 C×H×W; `channels` 1 or 3 converts (luma / gray copied), None keeps it.

    Transparency is composited on white, as for datasets; an unreadable file raises DataError naming it.
    """
    from zerosum.data.decode import decode
    from zerosum.data.transforms import to_channels

    arr = decode(Path(path), str(path))
    return to_channels(torch.from_numpy(arr.copy()).permute(2, 0, 1)[None], channels)[0].contiguous()


def image_from_bytes(data: bytes, where: str, max_pixels: int, channels: int | None = None) -> torch.Tensor:
    """An uploaded image's bytes as uint8 C×H×W, decoded by the datasets' reader (every decoder failure is one
    DataError naming `where`); its size is read from the header and refused past `max_pixels` before any pixel is
    decoded, so a small file that claims a huge image costs nothing."""
    from zerosum.data.decode import decode
    from zerosum.data.transforms import to_channels
    from zerosum.errors import DataError

    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
    except Exception:
        raise DataError(f"{where}: not an image that can be read (PNG, JPEG, GIF, BMP, WebP, TIFF)") from None
    if width * height > max_pixels:
        raise DataError(f"{where}: {width}×{height} is larger than {max_pixels:,} pixels; send a smaller image")
    arr = decode(data, where)
    return to_channels(torch.from_numpy(arr.copy()).permute(2, 0, 1)[None], channels)[0].contiguous()


def save_gif(path: str | os.PathLike, frames: Sequence[np.ndarray | torch.Tensor], duration_ms: int = 100) -> Path:
    """An endlessly looping animated GIF from equally sized frames (arrays H×W(×C) or C×H×W tensors)."""
    if not frames:
        raise ValueError("save_gif needs at least one frame")
    pics = [Image.fromarray(_as_hwc(f)) for f in frames]
    buf = io.BytesIO()
    pics[0].save(buf, format="GIF", save_all=True, append_images=pics[1:], duration=duration_ms, loop=0)
    return _write_atomic(path, buf.getvalue())


__all__ = ["image_from_bytes", "load_image", "make_grid", "save_gif", "save_grid", "save_png", "to_uint8"]
