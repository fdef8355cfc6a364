"""CIFAR-10: the canonical python pickle batches (folder or `cifar-10-python.tar.gz`) or a jpg folder/tar.

The pickles are unpickled with an allow-list of the few numpy constructors a plain dict of arrays needs, so a
tampered batch file cannot run code. The jpg layout (`train/<class>/NNNN.jpg`, `test/...`) goes through the
generic folder reader with the classes put in canonical CIFAR-10 order.
"""

from __future__ import annotations

import importlib
import io
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from zerosum.errors import DataError
from zerosum.progress import ReadProgress, progress

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
BATCHES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}
PICKLE_DIR = "cifar-10-batches-py"
PICKLE_TAR = "cifar-10-python.tar.gz"
JPG_TAR = "cifar10-jpg.tar"


def _numpy_global(module: str, name: str):
    """`numpy._core.<module>.<name>` on numpy 2, `numpy.core...` on numpy 1 (without the deprecation warning)."""
    for prefix in ("numpy._core.", "numpy.core."):
        try:
            return getattr(importlib.import_module(prefix + module), name)
        except (ImportError, AttributeError):
            continue
    raise pickle.UnpicklingError(f"numpy has no {module}.{name}")


_ALLOWED = {
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("_codecs", "encode"): lambda: __import__("codecs").encode,  # bytes pickled by Python 3 at protocol 2
}
for _mod in ("numpy.core", "numpy._core"):
    _ALLOWED[(f"{_mod}.multiarray", "_reconstruct")] = lambda: _numpy_global("multiarray", "_reconstruct")
    _ALLOWED[(f"{_mod}.multiarray", "scalar")] = lambda: _numpy_global("multiarray", "scalar")
    _ALLOWED[(f"{_mod}.numeric", "_frombuffer")] = lambda: _numpy_global("numeric", "_frombuffer")


class SafeUnpickler(pickle.Unpickler):
    """Builds dicts, lists, bytes and numpy arrays only; any other global is refused."""

    def find_class(self, module: str, name: str):
        make = _ALLOWED.get((module, name))
        if make is None:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: not a plain array batch")
        return make()


def load_batch(data: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """One pickle batch → (uint8 N×3×32×32, int64 N); DataError names `where` when it is not a CIFAR batch."""
    try:
        obj = SafeUnpickler(io.BytesIO(data), encoding="latin1").load()
    except Exception as e:  # a corrupt pickle can fail in many ways; all mean "replace the file"
        raise DataError(f"cannot unpickle {where} ({type(e).__name__}: {e}); the file is corrupt, replace it") from e
    if not isinstance(obj, dict):
        raise DataError(f"{where} holds a {type(obj).__name__}, not a CIFAR batch dict; is it the right file?")
    obj = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}
    images, labels = obj.get("data"), obj.get("labels")
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 2 or images.shape[1] != 3072:
        raise DataError(f"{where} has no uint8 N×3072 'data' array; is it a CIFAR-10 python batch?")
    try:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError) as e:
        raise DataError(f"{where} has unreadable 'labels' ({e}); the file is corrupt, replace it") from e
    if len(labels) != len(images) or (len(labels) and not 0 <= labels.min() <= labels.max() < len(CLASSES)):
        raise DataError(f"{where} has {len(images)} images but labels of length {len(labels)} or out of 0..9")
    return images.reshape(-1, 3, 32, 32), labels


def _read_members(tar_path: Path, wanted: set[str]) -> dict[str, bytes]:
    """The `wanted` members (by base name) in one pass, showing the bytes read (the tarball is 163 MB of gzip)."""
    out: dict[str, bytes] = {}
    try:
        with (
            open(tar_path, "rb") as raw,
            progress(tar_path.stat().st_size, f"reading {tar_path.name}", unit="B") as bar,
            tarfile.open(fileobj=ReadProgress(raw, bar), mode="r:*") as tf,
        ):
            for member in tf:
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in wanted:
                    f = tf.extractfile(member)
                    out[base] = f.read() if f is not None else b""
    except (tarfile.TarError, EOFError, OSError, zlib.error) as e:
        raise DataError(f"cannot read {tar_path} ({e}); the archive is truncated or corrupt, replace it") from e
    return out


def is_pickle_source(path: Path) -> bool:
    """A folder of pickle batches, or the canonical python tarball."""
    if path.is_dir():
        return (path / BATCHES["train"][0]).is_file() or (path / BATCHES["test"][0]).is_file()
    return path.name.lower().startswith("cifar-10-python")


def read_pickles(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 N×3×32×32, int64 N) of `split` from a batches folder or the python tarball."""
    names = [n for s in (("train", "test") if split == "all" else (split,)) for n in BATCHES[s]]
    if path.is_dir():
        blobs = {}
        for n in names:
            try:
                blobs[n] = (path / n).read_bytes()
            except OSError as e:
                raise DataError(f"cannot read {path / n} ({e}); CIFAR-10 needs all of {', '.join(names)}") from e
    else:
        blobs = _read_members(path, set(names))
        missing = [n for n in names if n not in blobs]
        if missing:
            raise DataError(f"{path} lacks {', '.join(missing)}; the archive is incomplete, replace it")
    parts = [load_batch(blobs[n], f"{path}/{n}" if path.is_dir() else f"{path}:{n}") for n in names]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def probe(folder: Path) -> Path | None:
    """The CIFAR-10 copy in `folder`: pickles first (bit-exact), then the jpg tar, then a train/ test/ tree."""
    for candidate in (folder / PICKLE_DIR, folder):
        if candidate.is_dir() and is_pickle_source(candidate):
            return candidate
    for name in (PICKLE_TAR, JPG_TAR):
        if (folder / name).is_file():
            return folder / name
    if (folder / "train").is_dir() or (folder / "test").is_dir():
        return folder
    return None
