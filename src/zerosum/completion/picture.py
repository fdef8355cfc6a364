"""The completion picture: one row per image, one labelled column per method.

Small images (MNIST's 28×28) are enlarged with nearest-neighbour sampling so pixels stay crisp and the labels
fit; the hole of the masked input is painted in a colour no dataset image uses, so it is visible even where the
image itself is black.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from zerosum.images import save_png, to_uint8

HOLE_RGB = (200, 40, 160)
MIN_CELL = 96
PAD = 4
HEADER = 28


def _rgb(images: torch.Tensor, vr: tuple[float, float]) -> torch.Tensor:
    """Float images → uint8 N×3×H×W (gray copied to three channels)."""
    x = to_uint8(images.cpu(), vr)
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x[:, :3]


def columns(ev, show_original: bool) -> list[tuple[str, torch.Tensor]]:
    """(label, uint8 N×3×H×W) per column, in the order the picture shows them."""
    vr = ev.value_range
    masked = _rgb(ev.original, vr).clone()
    hole = (~ev.known.cpu()).expand_as(masked)
    colour = torch.tensor(HOLE_RGB, dtype=torch.uint8).view(1, 3, 1, 1).expand_as(masked)
    masked[hole] = colour[hole]
    cols = [("masked input", masked), ("zerosum G(z)", _rgb(ev.search.images.clamp(*vr), vr))]
    cols.append((f"zerosum {ev.settings.blend}", _rgb(ev.outputs["zerosum"], vr)))
    if "mean_fill" in ev.outputs:
        cols.append(("mean fill", _rgb(ev.outputs["mean_fill"], vr)))
    if "telea" in ev.outputs:
        cols.append(("Telea", _rgb(ev.outputs["telea"], vr)))
    if show_original:
        cols.append(("original", _rgb(ev.original, vr)))
    return cols


def draw(ev, path: str | Path, show_original: bool = True) -> Path:
    """Write the labelled grid of `ev` (an Evaluation) to `path` as PNG."""
    cols = columns(ev, show_original)
    n, _, h, w = cols[0][1].shape
    scale = max(1, math.ceil(MIN_CELL / max(h, w)))
    ch, cw = h * scale, w * scale
    width = PAD + len(cols) * (cw + PAD)
    height = HEADER + n * (ch + PAD) + PAD
    canvas = np.full((height, width, 3), 255, dtype=np.uint8)
    for j, (_, imgs) in enumerate(cols):
        big = imgs.repeat_interleave(scale, dim=2).repeat_interleave(scale, dim=3).permute(0, 2, 3, 1).numpy()
        left = PAD + j * (cw + PAD)
        for i in range(n):
            top = HEADER + i * (ch + PAD)
            canvas[top : top + ch, left : left + cw] = big[i]
    pic = Image.fromarray(canvas)
    pen = ImageDraw.Draw(pic)
    for j, (label, _) in enumerate(cols):
        left = PAD + j * (cw + PAD)
        text_w = pen.textlength(label)
        pen.text((left + max(0, (cw - text_w) / 2), 8), label, fill=(0, 0, 0))
    return save_png(path, np.asarray(pic))


__all__ = ["columns", "draw"]
