"""Plots a user can look at: loss curves of a run, and samples of the toy point distributions.

matplotlib is imported lazily with the Agg backend, so nothing here needs a display.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from zerosum.atomic import atomic_write_bytes


def pyplot():
    """matplotlib.pyplot on the Agg backend: figures render without a display (servers, CI)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: Path) -> None:
    """Render `fig` as PNG, close it, and write the file atomically (a crash leaves no half-drawn picture)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    pyplot().close(fig)
    atomic_write_bytes(Path(path), lambda f: f.write(buf.getvalue()))


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    if width <= 1 or len(values) < width:
        return values
    kernel = np.ones(width) / width
    return np.convolve(values, kernel, mode="valid")


def plot_losses(rows: list[dict[str, Any]], path: Path, title: str = "") -> None:
    """Losses of D and G, and mean D(x) / D(G(z)), against the step (smoothed over ~1% of the run)."""
    plt = pyplot()
    if not rows:
        return
    steps = np.array([r["step"] for r in rows])
    width = max(len(rows) // 100, 1)
    fig, (ax_loss, ax_d) = plt.subplots(1, 2, figsize=(11, 3.6))
    for key, label in (("loss_d", "loss D"), ("loss_g", "loss G")):
        values = np.array([r.get(key, np.nan) for r in rows], dtype=float)
        ax_loss.plot(steps[width - 1 :], _smooth(values, width), label=label, lw=1.2)
    ax_loss.set_xlabel("step")
    ax_loss.set_title("losses")
    ax_loss.legend()
    for key, label in (("d_real", "D(x)"), ("d_fake", "D(G(z))")):
        values = np.array([r.get(key, np.nan) for r in rows], dtype=float)
        ax_d.plot(steps[width - 1 :], _smooth(values, width), label=label, lw=1.2)
    ax_d.axhline(0.5, color="gray", ls=":", lw=1)
    ax_d.set_ylim(0, 1)
    ax_d.set_xlabel("step")
    ax_d.set_title("discriminator output (mean)")
    ax_d.legend()
    if title:
        fig.suptitle(title)
    save_figure(fig, path)


def plot_points(real: np.ndarray | None, fake: np.ndarray, path: Path, title: str = "") -> None:
    """2-D: generated points over the data's (when given). 1-D: their histograms."""
    plt = pyplot()
    two_d = fake.shape[1] >= 2
    fig, ax = plt.subplots(figsize=(5, 5) if two_d else (7, 3.5))
    if two_d:
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=2, alpha=0.3, label="data", color="tab:blue")
        ax.scatter(fake[:, 0], fake[:, 1], s=2, alpha=0.3, label="G(z)", color="tab:orange")
        ax.set_aspect("equal")
    else:
        both = fake if real is None else np.concatenate([real, fake])
        bins = np.linspace(float(both.min()), float(both.max()), 80)
        if real is not None:
            ax.hist(real[:, 0], bins=bins, density=True, alpha=0.5, label="p_data")
        ax.hist(fake[:, 0], bins=bins, density=True, alpha=0.5, label="p_g")
    ax.legend(loc="upper right")
    if title:
        ax.set_title(title)
    save_figure(fig, path)


def plot_1d_discriminator(
    real: np.ndarray,
    fake: np.ndarray,
    d_of_x: Callable[[np.ndarray], np.ndarray],
    path: Path,
    title: str = "",
    pack: int = 1,
) -> None:
    """The GAN paper's Figure 1 view: p_data, p_g and D(x) on one axis.

    `d_of_x` returns one value per group of `pack` consecutive inputs (D's `model.pack`); a packed D is shown
    on groups of `pack` copies of each grid point, the nearest thing it has to a value at x.
    """
    plt = pyplot()
    lo = float(min(real.min(), fake.min())) - 0.5
    hi = float(max(real.max(), fake.max())) + 0.5
    grid = np.linspace(lo, hi, 400)
    d_values = np.asarray(d_of_x(np.repeat(grid, pack) if pack > 1 else grid))
    bins = np.linspace(lo, hi, 80)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(real.ravel(), bins=bins, density=True, alpha=0.45, color="black", label="p_data")
    ax.hist(fake.ravel(), bins=bins, density=True, alpha=0.45, color="tab:green", label="p_g")
    ax2 = ax.twinx()
    ax2.plot(grid, d_values, color="tab:blue", ls="--", label="D(x)")
    ax2.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax2.legend(loc="upper right")
    if title:
        ax.set_title(title)
    save_figure(fig, path)
