"""Datasets for zerosum: one call, `load_dataset(cfg)`, gives an in-memory ImageSet or PointSet.

Named sets: mnist, fashion-mnist, cifar10, olivetti-faces, stacked-mnist (built from MNIST, see `stacked`),
folder (with `root` = a folder, .zip or .tar of images; `name` may also be such a path), objects (generated
rooms with a red object of known box, see `objects`), and the toys toy-1d, ring-8, grid-25. See `sources` for
where files are looked for, `folder` for how a folder's layout becomes labels and splits.
"""

from __future__ import annotations

import logging
from pathlib import Path

from zerosum.config import DataConfig
from zerosum.data import objects, sources, stacked
from zerosum.data.archive import TAR_EXTS, is_archive
from zerosum.data.dataset import ImageSet, PointSet
from zerosum.data.registry import SPECS, load_folder_path
from zerosum.data.summary import upscale_warning
from zerosum.data.toy import TOYS
from zerosum.errors import DataError

__all__ = ["ImageSet", "PointSet", "dataset_names", "describe_sources", "load_dataset"]

log = logging.getLogger("zerosum.data")

FOLDER = "folder"


def dataset_names() -> list[str]:
    """Every registered dataset name (a path to a folder or archive is accepted as well)."""
    return [*SPECS, stacked.NAME, objects.NAME, FOLDER, *TOYS]


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
    if name in TOYS:
        return TOYS[name](name, cfg.params, cfg.split, cfg.limit)
    if name == FOLDER:
        if not cfg.root:
            raise DataError("data.name=folder needs the images' location: pass --data-root PATH (folder/.zip/.tar)")
        result = _load_folder(cfg.root, cfg, skip_bad)
    elif name == stacked.NAME:
        result = stacked.load_stacked(cfg)
    elif name == objects.NAME:
        result = objects.load_objects(cfg)
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
    if result.skipped:
        log.warning("%s: skipped %d unreadable image file(s)", result.name, result.skipped)
    warning = upscale_warning(result)
    if warning:
        log.warning("%s", warning)
    return result


def _row(name: str, found: dict | None, looked: list[dict]) -> dict:
    where = found or {}
    return {
        "name": name,
        "found": found,
        "source": where.get("source"),
        "path": where.get("path"),
        "looked": looked,
        "downloadable": False,
    }


def describe_sources(root: str | None = None) -> list[dict]:
    """Per dataset: where it would be loaded from (`found`: {source, path} or None, repeated flat as `source`
    and `path`), every place looked at (`looked`), and whether it can be downloaded. Nothing is downloaded or
    decoded. Toys have source "generated" and path None."""
    out = [
        sources.describe(name, root, spec.probe, spec.aliases, downloadable=bool(spec.remotes))
        for name, spec in SPECS.items()
    ]
    out.append(stacked.describe(next(row for row in out if row["name"] == "mnist")))
    folder = Path(root).expanduser() if root else None
    where = {"source": "--data-root", "path": str(folder)} if folder and folder.exists() else None
    looked = [{"source": "--data-root", "path": str(folder)}] if folder else []
    out.append(_row(FOLDER, where, looked))
    out += [_row(n, {"source": "generated", "path": None}, []) for n in (objects.NAME, *TOYS)]
    return out
