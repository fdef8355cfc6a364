"""`load_dataset(cfg)`: a dataset's name (or a path) → an in-memory ImageSet or PointSet, and the readers of the
named file-based sets (`registry.SPECS` names them by path, so that listing the datasets imports none of this)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch

from zerosum.config import DataConfig
from zerosum.data import cifar, objects, shapes, sources, stacked
from zerosum.data.archive import TAR_EXTS, is_archive
from zerosum.data.dataset import ImageSet, PointSet
from zerosum.data.folder import read_images
from zerosum.data.idx import load_idx_split
from zerosum.data.labels import balanced_subset
from zerosum.data.registry import (
    FOLDER,
    OBJECTS,
    SHAPES,
    SPECS,
    STACKED,
    TOY_DEFAULTS,
    Spec,
    dataset_names,
    olivetti_subject,
)
from zerosum.data.sources import Found
from zerosum.data.summary import upscale_warning
from zerosum.data.toy import load_toy
from zerosum.data.transforms import prepare
from zerosum.errors import DataError

log = logging.getLogger("zerosum.data")


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(("~", ".")) or is_archive(name) or Path(name).exists()


def _stem(path: Path) -> str:
    name = path.name
    for ext in (".zip", *TAR_EXTS):
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name or str(path)


def _load_folder(path_text: str, cfg: DataConfig, skip_bad: bool) -> ImageSet:
    path = Path(path_text).expanduser()
    if not path.exists():
        raise DataError(f"{path} does not exist; give an existing folder, .zip or .tar of images")
    return load_folder_path(path, cfg, skip_bad, _stem(path.resolve()))


def load_dataset(cfg: DataConfig) -> ImageSet | PointSet:
    """Load, shape (channels, size, limit) and return the dataset `cfg` names.

    `cfg.skip_bad` leaves unreadable image files out instead of failing; their count is in `.skipped` and logged.
    It lives in the config, so a resumed run and its metrics read the same images the run trained on.
    Raises DataError with a one-line fix when the data cannot be found or read.
    """
    name, skip_bad = cfg.name, cfg.skip_bad
    if name in TOY_DEFAULTS:
        return load_toy(name, cfg.params, cfg.split, cfg.limit)
    if name == FOLDER:
        if not cfg.root:
            raise DataError("data.name=folder needs the images' location: pass --data-root PATH (folder/.zip/.tar)")
        result = _load_folder(cfg.root, cfg, skip_bad)
    elif name == STACKED:
        result = stacked.load_stacked(cfg)
    elif name == OBJECTS:
        result = objects.load_objects(cfg)
    elif name == SHAPES:
        result = shapes.load_shapes(cfg)
    elif name in SPECS:
        spec = SPECS[name]
        found = sources.locate(name, cfg.root, spec.probe, spec.aliases, spec.remotes)
        result = spec.load(spec, found, cfg, skip_bad)
    elif _looks_like_path(name):
        result = _load_folder(name, cfg, skip_bad)
    else:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(dataset_names())} or give a folder/.zip/.tar path"
        )
    if cfg.labelled is not None:
        result.labelled = _labelled(result, cfg)
    if result.skipped:
        log.warning("%s: skipped %d unreadable image file(s)", result.name, result.skipped)
    warning = upscale_warning(result)
    if warning:
        log.warning("%s", warning)
    return result


def _labelled(data: ImageSet, cfg: DataConfig) -> torch.Tensor:
    """`data.labelled`'s class-balanced subset of `data`, drawn by `data.label_seed`."""
    if not data.num_classes:
        raise DataError(f"data.labelled needs a labelled dataset; {data.name} has no classes")
    idx = balanced_subset(data.labels.numpy(), cfg.labelled, cfg.label_seed, data.num_classes)
    return torch.from_numpy(idx)


def _make_set(
    spec: Spec, images: torch.Tensor, labels, classes, found: Found, skipped: int = 0, original=None
) -> ImageSet:
    labels = torch.as_tensor(labels, dtype=torch.int64)
    return ImageSet(images, labels, classes, spec.name, f"{found.source}: {found.path}", skipped, original)


def _nchw_shapes(x: torch.Tensor) -> dict[tuple[int, int, int], int]:
    n, c, h, w = x.shape
    return {(int(h), int(w), int(c)): int(n)}


def _splits(split: str) -> tuple[str, ...]:
    return ("train", "test") if split == "all" else (split,)


def load_idx(spec: Spec, found: Found, cfg: DataConfig, skip_bad: bool) -> ImageSet:
    images, labels, left = [], [], cfg.limit
    for split in _splits(cfg.split):
        if left is not None and left <= 0:
            break
        x, y = load_idx_split(found.path, split, len(spec.classes), left)
        images.append(x)
        labels.append(y)
        left = None if left is None else left - len(y)
    x = torch.from_numpy(np.concatenate(images))[:, None]
    original = _nchw_shapes(x)
    x = prepare(x, cfg.channels, cfg.size, cfg.resize)
    return _make_set(spec, x, np.concatenate(labels), spec.classes, found, original=original)


def load_cifar(spec: Spec, found: Found, cfg: DataConfig, skip_bad: bool) -> ImageSet:
    if cifar.is_pickle_source(found.path):
        x, y = cifar.read_pickles(found.path, cfg.split)
        if cfg.limit is not None:
            x, y = x[: cfg.limit], y[: cfg.limit]
        raw = torch.from_numpy(np.ascontiguousarray(x))
        images = prepare(raw, cfg.channels, cfg.size, cfg.resize)
        return _make_set(spec, images, y, spec.classes, found, original=_nchw_shapes(raw))
    got = read_images(
        found.path, split=cfg.split, channels=cfg.channels, size=cfg.size, mode=cfg.resize, limit=cfg.limit,
        skip_bad=skip_bad, class_order=spec.classes,
    )  # fmt: skip
    return _make_set(spec, got.images, got.labels, got.classes, found, got.skipped, got.original)


def load_olivetti(spec: Spec, found: Found, cfg: DataConfig, skip_bad: bool) -> ImageSet:
    got = read_images(
        found.path, split=cfg.split, channels=cfg.channels, size=cfg.size, mode=cfg.resize, limit=cfg.limit,
        skip_bad=skip_bad, labeler=olivetti_subject,
    )  # fmt: skip
    if not got.classes:
        raise DataError(f"{found.path} is not laid out as Olivetti faces (sSS_KK.png or sNN/ folders); use 'folder'")
    return _make_set(spec, got.images, got.labels, got.classes, found, got.skipped, got.original)


def load_folder_path(path: Path, cfg: DataConfig, skip_bad: bool, name: str) -> ImageSet:
    """Any folder/zip/tar of images as an ImageSet named `name`."""
    got = read_images(
        path, split=cfg.split, channels=cfg.channels, size=cfg.size, mode=cfg.resize, limit=cfg.limit,
        skip_bad=skip_bad,
    )  # fmt: skip
    return ImageSet(got.images, got.labels, got.classes, name, f"folder: {path}", got.skipped, got.original)
