"""Between JSON and tensors: images out as PNG data URIs, z and uploaded images in, each checked against the
server's bounds with one line that says what to send instead."""

from __future__ import annotations

import base64
import binascii
import math
import re

import torch

from zerosum.errors import ConfigError, DataError
from zerosum.images import image_from_bytes, png_bytes, to_uint8
from zerosum.report.collect import png_data_uri

MAX_UPLOAD_BYTES = 8 << 20  # an uploaded image's file
MAX_UPLOAD_PIXELS = 4096 * 4096
MAX_Z = 1000.0  # |z| per coordinate: far beyond any prior, small enough that G's arithmetic stays finite
DATA_URI = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)


def png_uri(image: torch.Tensor, value_range: tuple[float, float] | None) -> str:
    """One C×H×W image (uint8, or float in `value_range`) as a PNG data URI."""
    pixels = image if image.dtype == torch.uint8 else to_uint8(image[None], value_range or (0.0, 1.0))[0]
    return png_data_uri(png_bytes(pixels))


def png_uris(images: torch.Tensor, value_range: tuple[float, float] | None) -> list[str]:
    return [png_uri(x, value_range) for x in images]


def z_rows(rows: object, nz: int, what: str, max_rows: int) -> torch.Tensor:
    """A list of z vectors (lists of nz finite numbers) as a float tensor rows×nz."""
    if not isinstance(rows, list) or not 1 <= len(rows) <= max_rows:
        raise ConfigError(f"{what}: send a list of 1 to {max_rows} z vectors")
    for row in rows:
        if not isinstance(row, list) or len(row) != nz:
            raise ConfigError(f"{what}: each z is a list of {nz} numbers (this run's nz)")
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > MAX_Z:
                raise ConfigError(f"{what}: z holds {v!r}; send finite numbers within ±{MAX_Z:g}")
    return torch.tensor(rows, dtype=torch.float32)


def upload(uri: object, what: str = "image") -> torch.Tensor:
    """An uploaded image (a data URI, as a browser's FileReader gives it) as uint8 C×H×W, within the bounds."""
    if not isinstance(uri, str) or not DATA_URI.match(uri):
        raise DataError(f"{what}: send the image as a data URI (data:image/…;base64,…)")
    payload = uri.split(",", 1)[1]
    if len(payload) > MAX_UPLOAD_BYTES * 4 // 3 + 4:
        raise DataError(f"{what}: the file is larger than {MAX_UPLOAD_BYTES >> 20} MB; send a smaller image")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise DataError(f"{what}: the data URI is not valid base64") from None
    return image_from_bytes(data, what, MAX_UPLOAD_PIXELS)
