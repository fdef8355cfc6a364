"""IDX files (MNIST, Fashion-MNIST), gzip or raw, parsed with `np.frombuffer` (no per-item Python work).

The header is validated in full (magic, type, rank, and that the byte count matches the dimensions), so a
truncated download is reported with the file's name instead of surfacing as a reshape error or silent garbage.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from zerosum.errors import DataError

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"

SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it starts with the gzip magic (whatever its name says)."""
    try:
        data = Path(path).read_bytes()
        if data[:2] == _GZIP_MAGIC:
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"cannot read {path}: {e}; the file is truncated or corrupt, replace it") from e
    return data


def parse_idx(data: bytes, where: str, ndim: int | None = None) -> np.ndarray:
    """An IDX byte string as an array (read-only view on `data`); `where` names the file in errors."""
    fix = "the file is truncated or corrupt, replace it"
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise DataError(f"{where} is not an IDX file (bad magic number {data[:4].hex() or 'empty'}); {fix}")
    rank = data[3]
    if ndim is not None and rank != ndim:
        raise DataError(f"{where} has {rank} dimensions, expected {ndim}; is it the right file?")
    header = 4 + 4 * rank
    if len(data) < header:
        raise DataError(f"{where} ends inside its header ({len(data)} bytes); {fix}")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=rank, offset=4))
    dtype = np.dtype(_DTYPES[data[2]])
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise DataError(f"{where} has {len(data)} bytes, expected {expected} for shape {dims}; {fix}")
    return np.frombuffer(data, dtype, offset=header).reshape(dims)


def read_idx(path: Path, ndim: int | None = None) -> np.ndarray:
    return parse_idx(read_bytes(path), str(path), ndim)


def find_idx(folder: Path, stem: str) -> Path | None:
    """`stem` in `folder` under the names it is shipped with: gzip or raw, `-idx` or `.idx` spelling."""
    for name in (stem, stem.replace("-idx", ".idx")):
        for suffix in (".gz", ""):
            path = folder / (name + suffix)
            if path.is_file():
                return path
    return None


def probe_idx(folder: Path) -> Path | None:
    """`folder` when it holds the training pair of an MNIST-style dataset."""
    return folder if folder.is_dir() and all(find_idx(folder, s) for s in SPLIT_FILES["train"]) else None


def load_idx_split(
    folder: Path, split: str, num_classes: int, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 N×H×W images, int64 N labels) of one split; `limit` keeps the first N before copying."""
    paths = []
    for stem in SPLIT_FILES[split]:
        path = find_idx(folder, stem)
        if path is None:
            raise DataError(f"{folder} has no {stem}(.gz) for the {split} split; add it or choose another split")
        paths.append(path)
    images = read_idx(paths[0], ndim=3)
    labels = read_idx(paths[1], ndim=1)
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise DataError(f"{paths[0]} / {paths[1]} are not unsigned-byte IDX files; is it the right dataset?")
    if len(images) != len(labels):
        raise DataError(f"{paths[0]} has {len(images)} images but {paths[1]} has {len(labels)} labels; replace them")
    if len(labels) and int(labels.max()) >= num_classes:
        raise DataError(f"{paths[1]} has label {int(labels.max())}, expected < {num_classes}; is it the right file?")
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return np.array(images), labels.astype(np.int64)
