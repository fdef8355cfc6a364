"""List the image files of a folder, a .zip or a .tar (any compression), with their bytes or their path.

Archives are read in one sequential pass (random access into a .tar.gz is quadratic), which also catches a
truncated archive early. Hidden files and macOS `__MACOSX/` resource forks are left out: they carry image
extensions but are not images, and would otherwise be reported as corrupt.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from zerosum.data.tarindex import index_tar
from zerosum.errors import DataError
from zerosum.progress import ReadProgress, progress

IMAGE_EXTS = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".pgm", ".ppm", ".pnm", ".tif", ".tiff"})
TAR_EXTS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")

_COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")


@dataclass(frozen=True)
class TarSlice:
    """A member of an uncompressed tar, read only when decoded (seek + read), so `limit` stays cheap."""

    tar: Path
    offset: int
    size: int

    def read_bytes(self) -> bytes:
        with open(self.tar, "rb") as f:
            f.seek(self.offset)
            return f.read(self.size)


Entries = dict[str, "bytes | Path | TarSlice"]


def is_archive(path: Path | str) -> bool:
    name = str(path).lower()
    return name.endswith(".zip") or name.endswith(TAR_EXTS)


def is_image_name(name: str) -> bool:
    """An image by extension (case-insensitive), and not hidden anywhere along its '/'-path."""
    dot = name.rfind(".")
    if dot < 0 or name[dot:].lower() not in IMAGE_EXTS or "/" in name[dot:]:
        return False
    padded = "/" + name
    return "/." not in padded and "/__MACOSX/" not in padded


def _scan_dir(root: Path) -> Entries:
    out: Entries = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__MACOSX"]
        rel = Path(dirpath).relative_to(root).as_posix()
        for f in filenames:
            name = f if rel == "." else f"{rel}/{f}"
            if is_image_name(name):
                out[name] = Path(dirpath) / f
    return out


def _scan_zip(path: Path) -> Entries:
    out: Entries = {}
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir() and is_image_name(i.filename)]
            with progress(len(infos), f"reading {path.name}", unit="file") as bar:
                for info in infos:
                    try:
                        out[info.filename] = zf.read(info)
                    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
                        where = f"{path}:{info.filename}"
                        raise DataError(f"cannot read {where} ({e}); the zip is corrupt, replace it") from e
                    bar.update()
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise DataError(f"cannot read {path} ({e}); the zip is truncated or corrupt, replace it") from e
    return out


def _scan_tar(path: Path) -> Entries:
    try:
        with open(path, "rb") as f:
            plain = not f.read(6).startswith(_COMPRESSED_MAGIC)
        index = index_tar(path) if plain else None
        if index is not None:
            return {name: TarSlice(path, at, size) for name, at, size in index if is_image_name(name)}
        out: Entries = {}
        with (
            open(path, "rb") as raw,
            progress(path.stat().st_size, f"reading {path.name}", unit="B") as bar,
            tarfile.open(fileobj=ReadProgress(raw, bar), mode="r:*") as tf,
        ):
            for member in tf:
                name = member.name.removeprefix("./")
                if not member.isfile() or not is_image_name(name):
                    continue
                f = tf.extractfile(member)
                data = f.read() if f is not None else b""
                if len(data) != member.size:
                    raise DataError(f"{path}:{name} is cut short; the tar is truncated, replace it")
                out[name] = data
        return out
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        raise DataError(f"cannot read {path} ({e}); the tar is truncated or corrupt, replace it") from e


def scan(path: Path) -> Entries:
    """Image files under `path` (folder, zip or tar), keyed by their '/'-separated path inside it.

    Values are bytes for compressed archives, and for folders and plain tars something whose `read_bytes()`
    gives them when decoded (so `limit` stays cheap).
    """
    if path.is_dir():
        return _scan_dir(path)
    if not path.is_file():
        raise DataError(f"{path} does not exist; give a folder, a .zip or a .tar of images")
    if path.name.lower().endswith(".zip"):
        return _scan_zip(path)
    if path.name.lower().endswith(TAR_EXTS) or tarfile.is_tarfile(path):
        return _scan_tar(path)
    raise DataError(f"{path} is neither a folder nor a .zip/.tar archive; give a folder or an archive of images")
