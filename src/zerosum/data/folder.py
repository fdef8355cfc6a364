"""Any folder, .zip or .tar of images as an ImageSet.

Layout rules, applied to the '/'-paths inside the folder or archive:
- a single top folder that holds everything is a wrapper and is ignored (`faces.zip` → `faces/...`);
- top folders named only `train` and/or `test` are splits (the CIFAR-10 jpg tar: `train/<class>/NNNN.jpg`);
- when every image sits in a sub-folder, the first folder is its class (classes in natural sort order, so
  `s2` comes before `s10`); if any image sits at the top, the set is unlabeled.
Labeled sets are ordered round-robin over the classes (each class in natural file order), so that `limit`
keeps a class-balanced prefix instead of the first class only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from zerosum.data import decode as dec
from zerosum.data.archive import IMAGE_EXTS, is_archive, scan
from zerosum.data.summary import count_shapes
from zerosum.data.transforms import prepare
from zerosum.errors import DataError
from zerosum.sizes import image_size

SPLITS = ("train", "test")

Labeler = Callable[[str], "str | None"]


@dataclass
class Loaded:
    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    names: list[str]
    skipped: int
    original: dict[tuple[int, int, int], int]  # (H, W, C) of the decoded files → count


def natural_key(text: str) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def _parts(names: Sequence[str]) -> dict[str, list[str]]:
    """Path components of each name with wrapper folders removed."""
    parts = {n: n.split("/") for n in names}
    while parts:
        firsts = {p[0] for p in parts.values()}
        if len(firsts) != 1 or any(len(p) < 2 for p in parts.values()) or next(iter(firsts)).lower() in SPLITS:
            break
        parts = {n: p[1:] for n, p in parts.items()}
    return parts


def _round_robin(groups: list[list[str]]) -> list[str]:
    out = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out


def plan(
    names: Sequence[str],
    split: str,
    where: str,
    labeler: Labeler | None = None,
    class_order: Sequence[str] | None = None,
) -> tuple[list[str], dict[str, int], tuple[str, ...]]:
    """(names of `split` in load order, label of each name, class names) for the files of one folder."""
    parts = _parts(names)
    split_mode = bool(parts) and all(len(p) >= 2 and p[0].lower() in SPLITS for p in parts.values())
    if split_mode:
        rest = {n: p[1:] for n, p in parts.items()}
        wanted = SPLITS if split == "all" else (split,)
        groups = [[n for n in names if parts[n][0].lower() == s] for s in wanted]
        if not any(groups):
            raise DataError(f"{where} has no {split} folder; choose split " + " or ".join(SPLITS))
    else:
        if split == "test":
            raise DataError(f"{where} has no train/ and test/ folders, so no test split; use split=train or all")
        rest, groups = parts, [list(names)]
    found = {n: labeler(n) if labeler else ("/".join(r[:1]) if len(r) >= 2 else None) for n, r in rest.items()}
    if all(c is not None for c in found.values()):
        present = {c for c in found.values() if c is not None}
        if class_order is not None and present == set(class_order):
            classes = tuple(class_order)
        else:
            classes = tuple(sorted(present, key=natural_key))
        index = {c: i for i, c in enumerate(classes)}
        labels = {n: index[c] for n, c in found.items() if c is not None}
    else:
        classes, labels = (), dict.fromkeys(names, 0)
    order: list[str] = []
    for group in groups:
        group = sorted(group, key=natural_key)
        if classes:
            order += _round_robin([[n for n in group if labels[n] == k] for k in range(len(classes))])
        else:
            order += group
    return order, labels, classes


def _batch(arrays: list[np.ndarray] | np.ndarray) -> torch.Tensor:
    stack = arrays if isinstance(arrays, np.ndarray) else np.stack(arrays)
    return torch.from_numpy(stack).permute(0, 3, 1, 2)


def to_tensor(arrays: list[np.ndarray] | np.ndarray, channels: int | None, size: int | None, mode: str, where: str):
    """H×W×C arrays (a list, or one N×H×W×C array) → uint8 N×C×S×S, one batched resample per distinct shape."""
    if isinstance(arrays, np.ndarray):
        return prepare(_batch(arrays), channels or (1 if arrays.shape[3] == 1 else 3), size, mode)
    out_c = channels or (1 if all(a.shape[2] == 1 for a in arrays) else 3)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.shape, []).append(i)
    if len(groups) == 1:
        return prepare(_batch(arrays), out_c, size, mode)
    sizes = sorted({s[:2] for s in groups})
    if len(sizes) > 1 and size is None:
        few = ", ".join(image_size(hw) for hw in sizes[:3])
        raise DataError(f"images in {where} have different sizes ({few}, ...); set data.size to resize them")
    out: torch.Tensor | None = None
    for idx in groups.values():
        x = prepare(_batch([arrays[i] for i in idx]), out_c, size, mode)
        if out is None:
            out = torch.empty((len(arrays), *x.shape[1:]), dtype=torch.uint8)
        out[torch.as_tensor(idx)] = x
    return out


def read_images(
    path: Path,
    *,
    split: str = "train",
    channels: int | None = None,
    size: int | None = None,
    mode: str = "area",
    limit: int | None = None,
    skip_bad: bool = False,
    labeler: Labeler | None = None,
    class_order: Sequence[str] | None = None,
) -> Loaded:
    """Decode the images of a folder or archive and shape them; see the module docstring for the layout."""
    archive = is_archive(path) or path.is_file()
    cached = dec.load_cached(path) if archive else None
    entries = {} if cached else scan(path)
    all_names = cached[0] if cached else list(entries)
    if not all_names:
        raise DataError(f"{path} holds no image files ({', '.join(sorted(IMAGE_EXTS))}); point to a folder of images")
    order, labels, classes = plan(all_names, split, str(path), labeler, class_order)
    prefix = f"{path}:" if archive else f"{path}/"
    skipped = 0
    arrays: list[np.ndarray] | np.ndarray
    if cached:
        at = {n: i for i, n in enumerate(cached[0])}
        names = order[:limit] if limit else order
        arrays = cached[1][np.array([at[n] for n in names], dtype=np.int64)]
    elif archive and limit is None and len(entries) >= dec.CACHE_MIN_IMAGES:
        # Decode every split once, so the cache also serves the other split next time.
        every = sorted(entries, key=natural_key)
        got, arrs, _ = dec.decode_many([(n, entries[n]) for n in every], prefix, skip_bad)
        at = {n: i for i, n in enumerate(got)}
        names = [n for n in order if n in at]
        skipped = len(order) - len(names)
        if len(got) == len(every) and len({a.shape for a in arrs}) == 1:
            stacked = np.stack(arrs)
            dec.save_cached(path, got, stacked)
            arrays = stacked[np.array([at[n] for n in names], dtype=np.int64)]
        else:
            arrays = [arrs[at[n]] for n in names]
    else:
        items = [(n, entries[n]) for n in order]
        names, arrays, skipped = dec.decode_many(items, prefix, skip_bad, limit)
    if len(arrays) == 0:
        raise DataError(f"{path} has no readable images for split {split!r} ({skipped} unreadable); check the files")
    images = to_tensor(arrays, channels, size, mode, str(path))
    lab = torch.tensor([labels[n] for n in names], dtype=torch.int64)
    return Loaded(images, lab, classes, names, skipped, count_shapes(arrays))
