"""Datasets for zerosum: one call, `load_dataset(cfg)`, gives an in-memory ImageSet or PointSet.

Named sets: mnist, fashion-mnist, cifar10, olivetti-faces, stacked-mnist (built from MNIST, see `stacked`),
folder (with `root` = a folder, .zip or .tar of images; `name` may also be such a path), objects (generated
rooms with a red object of known box, see `objects`), shapes (generated shapes with per-pixel masks, see
`shapes`), and the toys toy-1d, ring-8, grid-25. See `sources` for where files are looked for, `folder` for how a
folder's layout becomes labels and splits.

The names live in `registry`, without torch: listing them and where they are found (`describe_sources`, `zerosum
data`) is instant. `load_dataset` and the set types need torch and load on first use of their names (PEP 562).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zerosum.data import sources
from zerosum.data.registry import FOLDER, OBJECTS, SHAPES, SPECS, STACKED, TOY_DEFAULTS, dataset_names
from zerosum.lazy import lazy_attributes

if TYPE_CHECKING:
    from zerosum.data.dataset import ImageSet, PointSet
    from zerosum.data.load import load_dataset

__all__ = ["ImageSet", "PointSet", "dataset_names", "describe_sources", "load_dataset"]

# public name → the module that defines it
_LAZY = {"ImageSet": "zerosum.data.dataset", "PointSet": "zerosum.data.dataset", "load_dataset": "zerosum.data.load"}


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)


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


def _stacked_row(mnist_row: dict) -> dict:
    """Stacked MNIST's row, given MNIST's: it is found where MNIST is found."""
    found = mnist_row.get("found")
    where = None if found is None else {"source": f"stacked from mnist, {found['source']}", "path": found["path"]}
    return {
        **mnist_row,
        "name": STACKED,
        "found": where,
        "source": None if where is None else where["source"],
        "path": None if where is None else where["path"],
    }


def describe_sources(root: str | None = None) -> list[dict]:
    """Per dataset: where it would be loaded from (`found`: {source, path} or None, repeated flat as `source`
    and `path`), every place looked at (`looked`), and whether it can be downloaded. Nothing is downloaded or
    decoded. Toys have source "generated" and path None."""
    out = [
        sources.describe(name, root, spec.probe, spec.aliases, downloadable=bool(spec.remotes))
        for name, spec in SPECS.items()
    ]
    out.append(_stacked_row(next(row for row in out if row["name"] == "mnist")))
    folder = Path(root).expanduser() if root else None
    where = {"source": "--data-root", "path": str(folder)} if folder and folder.exists() else None
    looked = [{"source": "--data-root", "path": str(folder)}] if folder else []
    out.append(_row(FOLDER, where, looked))
    out += [_row(n, {"source": "generated", "path": None}, []) for n in (OBJECTS, SHAPES, *TOY_DEFAULTS)]
    return out
