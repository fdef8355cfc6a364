"""Two completions that use no model, to show what the GAN adds.

- `mean_fill`: the hole painted with the mean of the image's own known pixels, per channel: the best constant
  under squared error when nothing else is known, so it is the floor any learned fill must beat on PSNR.
- `telea_fill`: OpenCV's fast-marching inpainting (Telea 2004), which propagates the colours and edges around the
  hole inward: a strong classical baseline for thin or small holes. OpenCV (`opencv-python-headless`) is
  imported only when this runs.

Both take float images N×C×H×W in `value_range` and `known` bool N×1×H×W, and return the same shape.
"""

from __future__ import annotations

import numpy as np
import torch

from zerosum.errors import ConfigError
from zerosum.images import to_uint8


def mean_fill(images: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """Known pixels kept, hole pixels set to the mean of that image's known pixels in the same channel."""
    k = known.to(images.dtype).expand_as(images)
    count = k.sum(dim=(2, 3), keepdim=True).clamp(min=1)
    mean = (images * k).sum(dim=(2, 3), keepdim=True) / count
    return torch.where(known, images, mean.expand_as(images))


def _cv2():
    try:
        import cv2
    except ImportError:
        raise ConfigError("the Telea baseline needs OpenCV: pip install opencv-python-headless") from None
    return cv2


def telea_fill(
    images: torch.Tensor,
    known: torch.Tensor,
    value_range: tuple[float, float] = (-1.0, 1.0),
    radius: int = 3,
) -> torch.Tensor:
    """cv2.inpaint(..., cv2.INPAINT_TELEA) per image on its uint8 version (OpenCV inpaints 8-bit images only);
    the known pixels are returned exactly as given, not rounded."""
    cv2 = _cv2()
    pixels = to_uint8(images, value_range).permute(0, 2, 3, 1).numpy()
    holes = (~known[:, 0]).to(torch.uint8).numpy() * 255
    lo, hi = value_range
    out = []
    for img, hole in zip(pixels, holes, strict=True):
        filled = cv2.inpaint(np.ascontiguousarray(img), np.ascontiguousarray(hole), radius, cv2.INPAINT_TELEA)
        out.append(filled.reshape(img.shape))
    result = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).to(images.dtype) * ((hi - lo) / 255.0) + lo
    return torch.where(known, images, result.to(images.device))


__all__ = ["mean_fill", "telea_fill"]
