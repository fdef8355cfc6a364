"""Is a latent walk showing new images or training images? Nearest training neighbours in pixel L2.

A walk whose every image sits on a training image would be a memorising model sliding between copies. The
distances only mean something on a scale, so the record puts the walk's mean nearest-neighbour distance next to
the median distance from a training image to its nearest *other* training image (ratio ≪ 1: copies; ≈ 1 or
more: as new as the training images are to each other). Distances are in the generator's value range.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from zerosum.errors import ConfigError
from zerosum.latent.sheet import labelled_rows
from zerosum.reproduce.neighbours import nearest
from zerosum.run import Run
from zerosum.sizes import shape_text

TRAIN_QUERIES = 1000  # training images whose nearest other training image sets the scale
PANEL_ROWS = 8


def training_images(run: Run, data_root: str | Path | None = None) -> Tensor:
    """The run's training images (uint8 N×C×H×W) as its config loads them; `data_root` says where to look."""
    from zerosum.data import load_dataset

    cfg = run.config.data
    if data_root is not None:
        cfg = cfg.model_copy(update={"root": str(data_root)})
    data = load_dataset(cfg)
    if data.kind != "image":
        raise ConfigError(f"{run.path} was trained on points; nearest training images need an image run")
    return data.images


def to_range(images: Tensor, value_range: tuple[float, float]) -> Tensor:
    """uint8 images → float32 in the generator's value range (the map training used)."""
    lo, hi = float(value_range[0]), float(value_range[1])
    return images.to(torch.float32) * ((hi - lo) / 255.0) + lo


def train_nn_median(train: Tensor, n: int = TRAIN_QUERIES, seed: int = 0) -> float:
    """Median distance from up to n (seeded) training images to their nearest other training image."""
    if len(train) < 2:
        raise ConfigError("the training set has fewer than 2 images; nothing to measure distances against")
    pick = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:n]
    d, idx = nearest(train[pick], train, 2)
    own = idx[:, 0] == pick  # a query finds itself first; a duplicate elsewhere still counts as distance 0
    return float(torch.where(own, d[:, 1], d[:, 0]).median())


def neighbour_stats(
    queries: Tensor, references: Tensor, k: int, value_range: tuple[float, float], seed: int = 0
) -> dict:
    """The k nearest references (uint8) of each query (float, value range), plus the scale to judge them by."""
    if tuple(queries.shape[1:]) != tuple(references.shape[1:]):
        raise ConfigError(
            f"reference images are {shape_text(references.shape[1:])} but the generator draws "
            f"{shape_text(queries.shape[1:])}; give references of the run's size and channels"
        )
    if not 1 <= k <= len(references):
        raise ConfigError(f"--neighbours {k}: choose 1..{len(references)} (the number of reference images)")
    train = to_range(references, value_range)
    dists, index = nearest(queries.float(), train, k)
    scale = train_nn_median(train, seed=seed)
    nn = dists[:, 0]
    return {
        "k": k,
        "references": len(references),
        "nn_mean": float(nn.mean()),
        "nn_median": float(nn.median()),
        "train_nn_median": scale,
        "ratio_mean_to_train_median": float(nn.mean()) / scale if scale > 0 else None,
        "dists": dists,
        "index": index,
    }


def neighbour_panel(
    queries: Tensor, references: Tensor, stats: dict, value_range: tuple[float, float], rows: int = PANEL_ROWS
) -> np.ndarray:
    """Up to `rows` evenly spaced queries, each followed by its k nearest references labelled with the distance."""
    picks = np.unique(np.linspace(0, len(queries) - 1, min(rows, len(queries))).round().astype(int))
    lo, hi = value_range
    table = []
    for i in picks.tolist():
        cells = [(queries[i], f"gen {i}")]
        for j, d in zip(stats["index"][i].tolist(), stats["dists"][i].tolist(), strict=True):
            cells.append((to_range(references[j], value_range), f"d {d:.1f}"))
        table.append(cells)
    return labelled_rows(table, (lo, hi))
