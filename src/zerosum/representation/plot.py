"""The picture of `zerosum features`: accuracy per method (mean ± std, one dot per seed) and the SVM's confusions.

The confusion matrix (first seed, rows normalised to the true class) shows *which* classes D's features keep
apart and which they merge, which a single accuracy hides (e.g. shirts vs T-shirts on Fashion-MNIST).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zerosum.plots import pyplot, save_figure


def plot_record(record: dict[str, Any], path: Path, title: str = "") -> Path:
    plt = pyplot()
    methods = record["methods"]
    fig, (ax_bar, ax_cm) = plt.subplots(1, 2, figsize=(10.5, 4.2), gridspec_kw={"width_ratios": [1, 1.25]})
    names = list(methods)
    means = np.array([100 * methods[m]["mean"] for m in names])
    stds = np.array([100 * methods[m]["std"] for m in names])
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red"][: len(names)]
    ax_bar.bar(range(len(names)), means, yerr=stds, capsize=6, color=colours, alpha=0.75)
    for i, m in enumerate(names):
        dots = 100 * np.asarray(methods[m]["per_seed"], dtype=float)
        ax_bar.scatter(np.full(len(dots), i) + np.linspace(-0.15, 0.15, len(dots)), dots, s=12, color="black")
        ax_bar.text(i, means[i] + stds[i] + 0.5, f"{means[i]:.1f}%", ha="center", va="bottom", fontsize=9)
    ax_bar.set_xticks(range(len(names)), [n.replace(" (", "\n(") for n in names], fontsize=8)
    low = float(min(100 * min(methods[m]["per_seed"]) for m in names))
    ax_bar.set_ylim(max(0.0, low - 10), 100)
    ax_bar.set_ylabel("test accuracy (%)")
    labels = "all" if record["all_labels"] else f"{record['labels']:,}"
    ax_bar.set_title(f"{labels} labels, {record['seeds']} seed(s)", fontsize=10)

    cm = np.asarray(record["confusion"], dtype=float)
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    image = ax_cm.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    classes = [str(c)[:10] for c in record["classes"]]
    ticks = range(len(classes))
    ax_cm.set_xticks(ticks, classes, rotation=60, ha="right", fontsize=7)
    ax_cm.set_yticks(ticks, classes, fontsize=7)
    if len(classes) <= 12:
        for i in ticks:
            for j in ticks:
                if rates[i, j] >= 0.01:
                    colour = "white" if rates[i, j] > 0.6 else "black"
                    ax_cm.text(j, i, f"{100 * rates[i, j]:.0f}", ha="center", va="center", fontsize=6, color=colour)
    ax_cm.set_xlabel("predicted")
    ax_cm.set_ylabel("true")
    ax_cm.set_title("SVM confusions, seed 0 (% of true class)", fontsize=10)
    fig.colorbar(image, ax=ax_cm, fraction=0.046, pad=0.04)
    fig.suptitle(title or f"D features on {record['dataset']} ({record['feature_dim']:,}-d)")
    fig.tight_layout()
    save_figure(fig, path)
    return Path(path)
