"""Features of real data, computed once per dataset, split and feature network, and kept in the cache dir.

Inception features of a 10k-image test split cost ~6 minutes on two CPU cores; every later FID against that split
should cost nothing for the real side. The cache key holds the feature network's identity and a SHA-1 of the
images' bytes, so a changed dataset, resize or network can never be matched with stale features.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from pathlib import Path

import torch
from torch import Tensor

from zerosum.atomic import atomic_write_bytes
from zerosum.config import DataConfig
from zerosum.data import load_dataset
from zerosum.data.sources import cache_dir
from zerosum.errors import DataError

log = logging.getLogger("zerosum.metrics")

Extractor = Callable[[Tensor], Tensor]  # uint8 N×C×H×W → N×F features
_loaded: dict[Path, Tensor] = {}


def real_images(data: DataConfig, split: str, limit: int | None = None) -> Tensor:
    """uint8 N×C×H×W images of `split` of the run's dataset, shaped as for training (size, channels, resize)."""
    cfg = data.model_copy(update={"split": split, "limit": limit})
    found = load_dataset(cfg)
    if found.kind != "image":
        raise DataError(f"{data.name} holds points, not images; image metrics (FID, KID, LeNet) do not apply")
    return found.images


def fingerprint(images: Tensor) -> str:
    """SHA-1 of the images' shape and bytes: equal only for the very same pixels."""
    h = hashlib.sha1(str(tuple(images.shape)).encode())
    h.update(images.contiguous().numpy().tobytes())
    return h.hexdigest()


def cache_path(extractor_id: str, data_name: str, split: str, digest: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(data_name).name or data_name)[-40:]
    return cache_dir() / "features" / f"{extractor_id}-{safe}-{split}-{digest[:16]}.pt"


def _read(path: Path, digest: str) -> Tensor | None:
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a corrupt entry is recomputed and replaced
        return None
    if not isinstance(blob, dict) or blob.get("fingerprint") != digest:
        return None
    return blob["features"]


def real_features(
    data: DataConfig, split: str, extractor_id: str, extract: Extractor, limit: int | None = None
) -> Tensor:
    """Features of `split` (first `limit` images) by `extract`, from the cache or computed and cached atomically.

    Stored as float32 (half the disk of float64; FID moves by < 1e-4); returned as float64 for the statistics.
    """
    images = real_images(data, split, limit)
    digest = fingerprint(images)
    path = cache_path(extractor_id, data.name, split, digest)
    if path in _loaded:
        return _loaded[path]
    features = _read(path, digest) if path.is_file() else None
    if features is None:
        log.info("computing %s features of %d %s/%s images (cached afterwards in %s)",
                 extractor_id, len(images), data.name, split, path)  # fmt: skip
        features = extract(images).to(torch.float32)
        blob = {"features": features, "fingerprint": digest, "extractor": extractor_id, "split": split}
        atomic_write_bytes(path, lambda f: torch.save(blob, f))
    _loaded[path] = features.double()
    return _loaded[path]


def to_uint8(images01: Tensor) -> Tensor:
    """[0, 1] floats → uint8, rounding as a PNG writer does, so generated and real images reach a feature network
    through the same quantisation (the reference FID code reads generated images from 8-bit files)."""
    return images01.clamp(0, 1).mul(255).round().to(torch.uint8)
