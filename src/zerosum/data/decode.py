"""Image bytes → uint8 H×W×C arrays (C = 1 or 3), and an optional decoded cache for big archives.

Mode policy (so mixed folders end up in one tensor): 1-bit, 8-bit and 16-bit gray become L (16-bit keeps its
high byte); palette, CMYK, YCbCr and the like become RGB. Transparency is composited on WHITE, not dropped:
a transparent PNG background would otherwise turn into whatever color the hidden pixels happen to hold (often
black), which is never what the picture shows. EXIF orientation is not applied.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from zerosum.data.archive import TarSlice
from zerosum.data.sources import cache_dir
from zerosum.errors import DataError
from zerosum.progress import progress

log = logging.getLogger("zerosum.data")

CACHE_MIN_IMAGES = 1000
CACHE_VERSION = 1


def _on_white(arr: np.ndarray) -> np.ndarray:
    """H×W×(C+1) with straight alpha last → H×W×C composited on white, rounded."""
    color, alpha = arr[..., :-1].astype(np.uint32), arr[..., -1:].astype(np.uint32)
    return ((color * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def to_array(im: Image.Image) -> np.ndarray:
    """A loaded PIL image as uint8 H×W×C with C = 1 (gray) or 3 (color)."""
    mode = im.mode
    if mode in ("1", "L"):
        return np.asarray(im.convert("L"))[..., None]
    if mode.startswith("I;16"):
        return (np.asarray(im).astype(np.uint32) >> 8).astype(np.uint8)[..., None]
    if mode in ("I", "F"):
        return np.asarray(im.convert("L"))[..., None]
    if mode in ("LA", "La", "PA") or (mode == "P" and "transparency" in im.info):
        im = im.convert("LA") if mode in ("LA", "La") else im.convert("RGBA")
        return _on_white(np.asarray(im))
    if mode in ("RGBA", "RGBa"):
        return _on_white(np.asarray(im.convert("RGBA")))
    if mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im)


def _reason(err: Exception) -> str:
    """PIL's complaint as a short phrase (its "cannot identify" message shows a BytesIO address instead)."""
    if isinstance(err, UnidentifiedImageError):
        return "not an image format that can be read"
    text = (str(err).strip().splitlines() or [""])[0][:160]
    return text if isinstance(err, OSError) and text else f"{type(err).__name__}: {text}".rstrip(": ")


def upright(im: Image.Image) -> Image.Image:
    """The image as it is meant to be seen: phones store photos sideways with an EXIF orientation tag.

    A damaged EXIF block is not a damaged image: the pixels are kept as stored.
    """
    try:
        return ImageOps.exif_transpose(im) or im
    except Exception:
        return im


class BadImageError(DataError):
    """One file that cannot be decoded. `where` and `reason` let a caller that skips bad files (data.skip_bad)
    log the file without the advice to pass --skip-bad-images, which the message carries for everyone else."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        fix = "remove or replace the file, or train with --skip-bad-images (data.skip_bad=true)"
        super().__init__(f"cannot decode image {where} ({reason}); {fix}")


def decode(data: bytes | Path | TarSlice, where: str) -> np.ndarray:
    """Decode one file completely (a truncated file fails here, not later); DataError names `where`.

    Any exception counts as a bad file: PIL's many parsers raise more than OSError on hostile bytes (a fuzz
    test found TypeError from a corrupt TIFF), and one such file must not crash a run (tests/data/test_image_fuzz.py).
    """
    try:
        if not isinstance(data, bytes):
            data = data.read_bytes()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            return to_array(upright(im))
    except Exception as e:
        raise BadImageError(where, _reason(e)) from e


def decode_many(
    items: list[tuple[str, bytes | Path | TarSlice]], prefix: str, skip_bad: bool, limit: int | None = None
) -> tuple[list[str], list[np.ndarray], int]:
    """Decode in order until `limit` good images; bad files raise, or are counted when `skip_bad`.

    Members of a plain tar are read through one open handle (reopening it per image costs seconds at 60k).
    Progress is shown per file: the 60k jpgs of CIFAR-10 take several seconds.
    """
    names: list[str] = []
    arrays: list[np.ndarray] = []
    skipped = 0
    total = len(items) if limit is None else min(limit, len(items))
    with ExitStack() as stack:
        bar = stack.enter_context(progress(total, f"decoding {Path(prefix.rstrip(':/')).name}", unit="img"))
        handles: dict[Path, BinaryIO] = {}
        for name, data in items:
            if limit is not None and len(arrays) >= limit:
                break
            if isinstance(data, TarSlice):
                if data.tar not in handles:
                    handles[data.tar] = stack.enter_context(open(data.tar, "rb"))  # noqa: SIM115
                handles[data.tar].seek(data.offset)
                data = handles[data.tar].read(data.size)
            try:
                arrays.append(decode(data, f"{prefix}{name}"))
                names.append(name)
            except BadImageError as e:
                if not skip_bad:
                    raise
                skipped += 1
                log.warning("skipped %s (%s)", e.where, e.reason)
            bar.update_to(len(arrays) if limit is not None else len(arrays) + skipped)
    return names, arrays, skipped


def _cache_file(archive: Path) -> tuple[Path, str]:
    st = archive.stat()
    stem = hashlib.sha1(str(archive.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / "decoded" / f"{stem}-{st.st_size}-{st.st_mtime_ns}-v{CACHE_VERSION}.npz", stem


def load_cached(archive: Path) -> tuple[list[str], np.ndarray] | None:
    """(names, N×H×W×C images) decoded earlier from this very archive (same size and mtime), or None."""
    try:
        path, _ = _cache_file(archive)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as z:
            return [str(n) for n in z["names"]], z["images"]
    except (OSError, ValueError, KeyError) as e:  # a broken cache is only a slower load
        log.debug("ignoring decoded cache for %s: %s", archive, e)
        return None


def save_cached(archive: Path, names: list[str], images: np.ndarray) -> None:
    """Best effort: write atomically and drop caches of older versions of the same archive."""
    if len(names) < CACHE_MIN_IMAGES:
        return
    try:
        path, stem = _cache_file(archive)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, names=np.array(names), images=images)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        for old in path.parent.glob(f"{stem}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as e:
        log.debug("could not write decoded cache for %s: %s", archive, e)
