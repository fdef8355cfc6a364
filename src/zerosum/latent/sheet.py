"""Numbered sample sheets: a grid whose cells carry their index, saved with the z that drew them.

Vector arithmetic (and any later verb that picks samples by eye) needs a way to say "these three": the user reads
the numbers off the sheet and passes them as ids, and the saved z turns the ids back into latent vectors. Labels
go in a white strip above each cell, and small images are scaled up (nearest neighbour, so pixels stay honest)
until a 28×28 digit and its number are both legible.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from zerosum.errors import ConfigError
from zerosum.images import save_png, to_uint8
from zerosum.sampling import Samples, save_npz

MIN_CELL = 56  # pixels: below this a cell is scaled up by an integer factor
STRIP = 13  # pixels of the label strip above each cell
GAP = 2

Cell = tuple[torch.Tensor | None, str]


def cell_scale(height: int, min_cell: int = MIN_CELL) -> int:
    """The integer factor that brings an image of this height to at least `min_cell` pixels."""
    return max(1, math.ceil(min_cell / max(1, height)))


def upscale(images: torch.Tensor, factor: int) -> torch.Tensor:
    """N×C×H×W (or C×H×W) scaled by an integer factor with nearest neighbour: every pixel becomes a block."""
    if factor == 1:
        return images
    return images.repeat_interleave(factor, dim=-2).repeat_interleave(factor, dim=-1)


def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default()


def labelled_rows(
    rows: Sequence[Sequence[Cell]],
    value_range: tuple[float, float] | None = (-1.0, 1.0),
    scale: int | None = None,
) -> np.ndarray:
    """Rows of (image, label) cells → one uint8 H×W (gray) or H×W×3 picture on white, each label above its image.

    Images are C×H×W tensors (float in `value_range`, or uint8), all of one shape; None leaves a cell blank, and
    rows may differ in length (short rows end early). Labels wider than a cell are clipped to it.
    """
    images = [im for row in rows for im, _ in row if im is not None]
    if not images:
        raise ValueError("labelled_rows needs at least one image")
    c, h, w = images[0].shape
    k = scale or cell_scale(h)
    ch, cw = h * k, w * k
    ncols = max(len(row) for row in rows)
    width = ncols * (cw + GAP) + GAP
    height = len(rows) * (STRIP + ch + GAP) + GAP
    mode = "L" if c == 1 else "RGB"
    canvas = Image.new(mode, (width, height), 255 if mode == "L" else (255, 255, 255))
    font = _font()
    lo_hi = value_range if value_range is not None else (0.0, 1.0)
    for r, row in enumerate(rows):
        top = GAP + r * (STRIP + ch + GAP)
        for col, (image, label) in enumerate(row):
            left = GAP + col * (cw + GAP)
            if label:
                strip = Image.new(mode, (cw, STRIP), 255 if mode == "L" else (255, 255, 255))
                draw = ImageDraw.Draw(strip)
                x0, _, x1, _ = draw.textbbox((0, 0), label, font=font)
                draw.text((max(0, (cw - (x1 - x0)) // 2), 0), label, fill=0 if mode == "L" else (0, 0, 0), font=font)
                canvas.paste(strip, (left, top))
            if image is not None:
                if tuple(image.shape) != (c, h, w):
                    raise ValueError(f"labelled_rows: images must share one shape; {tuple(image.shape)} ≠ {(c, h, w)}")
                pix = upscale(to_uint8(image, lo_hi), k).permute(1, 2, 0).numpy()
                cell = Image.fromarray(pix[:, :, 0] if c == 1 else pix[:, :, :3])
                canvas.paste(cell, (left, top + STRIP))
    return np.asarray(canvas)


def numbered_grid(
    images: torch.Tensor,
    nrow: int | None = None,
    value_range: tuple[float, float] | None = (-1.0, 1.0),
    start: int = 0,
    scale: int | None = None,
) -> np.ndarray:
    """N×C×H×W images as a grid with each cell's index (from `start`) printed above it, `nrow` per row."""
    n = len(images)
    cols = nrow or max(1, math.isqrt(n))
    cells = [(images[i], str(start + i)) for i in range(n)]
    return labelled_rows([cells[i : i + cols] for i in range(0, n, cols)], value_range, scale)


def sheet_npz(png: str | Path) -> Path:
    """Where the z of a numbered sheet lives: beside the picture, same stem."""
    return Path(png).with_suffix(".npz")


def save_sheet(samples: Samples, png: str | Path, nrow: int | None = None) -> tuple[Path, Path]:
    """Write the numbered grid and, always, the samples with their z (so the numbers can be used later)."""
    if samples.value_range is None:
        raise ConfigError("--numbered draws image sheets; this run models points, so leave --numbered out")
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    save_png(png, numbered_grid(samples.images, nrow=nrow, value_range=samples.value_range))
    return png, save_npz(samples, sheet_npz(png))


def load_sheet(path: str | Path, nz: int | None = None, hint: str = "zerosum sample RUN --numbered") -> torch.Tensor:
    """The z (N×nz float32) saved with a sheet; one-line errors for a missing, unreadable or mismatched file.

    `nz` is the generator's noise size: a sheet from a run with another nz cannot be used with this one.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sheet {path} not found; make one with `{hint}` (it writes the .npz beside the PNG)")
    try:
        with np.load(path, allow_pickle=False) as data:
            if "z" not in data.files:
                raise ConfigError(f"{path} holds no z; use the .npz written by `{hint}`")
            z = np.asarray(data["z"])
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise ConfigError(
            f"cannot read sheet {path} ({type(err).__name__}); use the .npz written by `{hint}`"
        ) from None
    if z.ndim != 2 or z.shape[0] == 0 or not np.issubdtype(z.dtype, np.floating):
        raise ConfigError(f"{path}: z has shape {z.shape} and dtype {z.dtype}; expected N×nz floats from `{hint}`")
    if nz is not None and z.shape[1] != nz:
        raise ConfigError(
            f"{path} holds z of size {z.shape[1]} but this run's generator takes {nz}: "
            f"the sheet comes from another run; make one with `{hint}`"
        )
    return torch.from_numpy(z.astype(np.float32, copy=False))


def check_ids(ids: Sequence[int], n: int, flag: str) -> list[int]:
    """Ids of a sheet with n samples; anything outside 0..n-1 is a one-line error naming the valid range."""
    bad = [i for i in ids if not 0 <= i < n]
    if bad:
        shown = ",".join(str(i) for i in bad)
        raise ConfigError(f"{flag} {shown}: ids must lie in 0..{n - 1} (the sheet has {n} samples)")
    return list(ids)
