"""Pictures of translations: input, output and target side by side, masks in colour, small inputs enlarged.

Used by the training previews (`samples/step_*.png` of a translator run) and by the `upscale` and `translate` verbs.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from zerosum.images import make_grid, to_uint8

# background black, then colours far apart from each other (and from grey photos)
PALETTE = torch.tensor(
    [[0, 0, 0], [230, 60, 60], [60, 200, 60], [70, 110, 240], [240, 200, 40], [200, 80, 220], [40, 200, 210],
     [250, 140, 40], [150, 150, 150], [120, 60, 20]],
    dtype=torch.uint8,
)  # fmt: skip
PREVIEW_PAIRS = 16


def colour_masks(masks: Tensor) -> Tensor:
    """N×H×W class indices → uint8 N×3×H×W in the palette's colours (classes beyond it wrap around)."""
    return PALETTE[masks.long().cpu() % len(PALETTE)].permute(0, 3, 1, 2).contiguous()


def as_rgb(x: Tensor, value_range: tuple[float, float], is_mask: bool, size: tuple[int, int]) -> Tensor:
    """One column of a picture: uint8 N×3×H×W at `size` (smaller images enlarged by pixel repetition, so what
    the model saw is what is shown), masks coloured from their maps' argmax."""
    if is_mask:
        out = colour_masks(x.argmax(dim=1))
    else:
        out = to_uint8(x, value_range)
        if out.shape[1] == 1:
            out = out.expand(-1, 3, -1, -1)
    if tuple(out.shape[-2:]) != tuple(size):
        out = F.interpolate(out.float(), size=size, mode="nearest").to(torch.uint8)
    return out.contiguous()


def side_by_side(columns: list[Tensor], per_row: int = 2) -> np.ndarray:
    """Columns of equal N×3×H×W uint8 images → one grid, each example's columns next to each other, `per_row`
    examples on a row."""
    n = columns[0].shape[0]
    cells = torch.stack(columns, dim=1).flatten(0, 1)  # example 0's columns, example 1's, ...
    return make_grid(cells, nrow=len(columns) * max(min(per_row, n), 1), value_range=(0, 255))


def preview_pairs(data, value_range: tuple[float, float], n: int = PREVIEW_PAIRS) -> tuple[Tensor, Tensor]:
    """The fixed (inputs, targets) of a run's previews: its first n training pairs, noise drawn from a fixed seed,
    so every preview (and a resumed run's) shows the same inputs."""
    idx = torch.arange(min(n, len(data)))
    return data.batch(idx, value_range=value_range, generator=torch.Generator().manual_seed(0))


def pair_picture(
    inputs: Tensor, outputs: Tensor, targets: Tensor | None, task: str, value_range: tuple[float, float] = (0.0, 1.0)
) -> np.ndarray:
    """input | output | target (when known) for each example, as one picture."""
    size = tuple(outputs.shape[-2:])
    mask_in, mask_out = task == "mask_to_photo", task == "photo_to_mask"
    columns = [as_rgb(inputs, value_range, mask_in, size), as_rgb(outputs, value_range, mask_out, size)]
    if targets is not None:
        columns.append(as_rgb(targets, value_range, mask_out, size))
    return side_by_side(columns)
