"""How messages write image sizes: width × height, as image viewers and editors do, though tensors are N×C×H×W.

Without a torch import, so any module (the CLI's included) can word its messages with it.
"""

from __future__ import annotations

from collections.abc import Sequence

CHANNELS = {1: "gray", 3: "RGB", 4: "RGBA"}


def image_size(shape: Sequence[int]) -> str:
    """'W×H' of a shape ending in (H, W): C×H×W, N×C×H×W or (H, W) itself."""
    h, w = (int(n) for n in shape[-2:])
    return f"{w}×{h}"


def shape_text(shape: Sequence[int]) -> str:
    """A sample's shape in words: C×H×W → '64×48 RGB', (D,) → '2-d points'; anything else joined with ×."""
    dims = [int(n) for n in shape]
    if len(dims) == 3:
        c = dims[0]
        return f"{image_size(dims)} {CHANNELS.get(c, f'{c}-channel')}"
    if len(dims) == 1:
        return f"{dims[0]}-d points"
    return "×".join(map(str, dims)) if dims else "scalar"
