"""Pictures of the few-label experiment: each class's samples, and accuracy against the label budget per method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zerosum.fewlabels.recipe import Pool
from zerosum.images import make_grid, save_png
from zerosum.plots import pyplot, save_figure

COLOURS = {"labelled": "tab:blue", "shifts": "tab:orange", "cgan_subset": "tab:green", "cgan_all": "tab:red"}


def class_sheet(pool: Pool, path: Path, per_class: int = 10) -> Path:
    """One row per class: the first `per_class` images of that class in the pool."""
    k = int(pool.labels.max()) + 1
    picks = [np.flatnonzero(pool.labels.numpy() == c)[:per_class] for c in range(k)]
    images = pool.images[np.concatenate(picks)]
    return save_png(Path(path), make_grid(images, nrow=per_class, pad_value=255))


def plot_augment(record: dict[str, Any], path: Path) -> Path:
    """Test accuracy (mean ± std over seeds, a dot per seed) against the label budget, a line per method."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    budgets = record["labels"]
    for method in record["methods"]:
        shown = [n for n in budgets if f"{n}/{method}" in record["table"]]  # cgan_subset may skip budgets
        stats = [record["table"][f"{n}/{method}"] for n in shown]
        means = [100 * s["mean"] for s in stats]
        stds = [100 * s["std"] for s in stats]
        colour = COLOURS.get(method)
        ax.errorbar(shown, means, yerr=stds, capsize=4, marker="o", label=method, color=colour)
        for n, s in zip(shown, stats, strict=True):
            dots = 100 * np.asarray(s["per_seed"], dtype=float)
            ax.scatter(np.full(len(dots), n), dots, s=8, color=colour, alpha=0.5)
    ax.set_xscale("log")
    ax.set_xticks(budgets, [f"{n:,}" for n in budgets])
    ax.set_xlabel("labelled training images (class-balanced)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"{record['dataset']}: LeNet, {record['steps']:,} steps, mix {record['mix']:g}, "
                 f"{record['seeds']} seed(s)", fontsize=10)  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path)
    return Path(path)
