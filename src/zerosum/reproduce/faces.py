"""`dcgan-faces`: a DCGAN on the 400 Olivetti faces at 64×64, and whether it draws new faces or copies old ones.

With 400 training images (40 people × 10 shots) a generator can reach low loss by reproducing them, so the
samples alone prove little. Each sample's nearest training images (L2 in pixel space) are shown beside it, and
two numbers put the distances on a scale: the median sample-to-training distance divided by the median distance
from a training image to its nearest *other* training image (≈ 1 or more: samples are as far from the training set
as its images are from each other; ≪ 1: copies), and the share of samples closer to a training image than any
two training images are to each other.

Sizing of `fast` (2 CPU cores): one thread measured 2.7 s CPU per DCGAN-64 step at batch 64, i.e. about 1.4 s per
step on two cores; 700 steps (112 epochs) and the 1,000 samples come to about 16–17 min.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from zerosum.evaluation import unit_sampler
from zerosum.images import make_grid, save_png
from zerosum.metrics.reference import real_images
from zerosum.plots import pyplot, save_figure
from zerosum.reproduce.job import Job
from zerosum.reproduce.neighbours import nearest
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run

PANEL = 12  # samples in the neighbour panel
NEIGHBOURS = 3


def memorisation(samples: torch.Tensor, train: torch.Tensor) -> dict:
    """Nearest-neighbour statistics of samples against the training set; both as floats in [0, 1]."""
    d_train = nearest(train, train, 1, exclude_self=True)[0][:, 0]
    d_sample, index = nearest(samples, train, NEIGHBOURS)
    nn = d_sample[:, 0]
    return {
        "ratio": (nn.median() / d_train.median()).item(),
        "below_min": (nn < d_train.min()).double().mean().item(),
        "sample_nn": nn,
        "train_nn": d_train,
        "dists": d_sample,
        "index": index,
    }


def _panel(samples: torch.Tensor, train: torch.Tensor, stats: dict, path: Path) -> None:
    """Samples at evenly spaced ranks of their nearest-neighbour distance (most copy-like first), each above its
    3 nearest training faces, with the L2 distances."""
    order = stats["sample_nn"].argsort()
    picks = order[np.linspace(0, len(order) - 1, min(PANEL, len(order))).round().astype(int)]
    plt = pyplot()
    fig, axes = plt.subplots(1 + NEIGHBOURS, len(picks), figsize=(1.15 * len(picks), 1.3 * (1 + NEIGHBOURS)))
    axes = np.asarray(axes).reshape(1 + NEIGHBOURS, len(picks))
    for col, i in enumerate(picks.tolist()):
        near = zip(stats["index"][i].tolist(), stats["dists"][i].tolist(), strict=True)
        cells = [(samples[i], f"sample {i}"), *((train[j], f"{d:.1f}") for j, d in near)]
        for row, (image, label) in enumerate(cells):
            ax = axes[row, col]
            ax.imshow(image[0].numpy(), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(label, fontsize=7, labelpad=1)
    axes[0, 0].set_ylabel("sample", fontsize=8)
    for row in range(1, 1 + NEIGHBOURS):
        axes[row, 0].set_ylabel(f"NN {row}", fontsize=8)
    fig.tight_layout(pad=0.3)
    save_figure(fig, path)


def _histogram(stats: dict, path: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    a, b = stats["sample_nn"].numpy(), stats["train_nn"].numpy()
    bins = np.linspace(0, max(a.max(), b.max()) * 1.05, 50)
    ax.hist(b, bins=bins, density=True, alpha=0.5, color="black", label="training image → nearest other")
    ax.hist(a, bins=bins, density=True, alpha=0.5, color="tab:orange", label="sample → nearest training image")
    ax.axvline(b.min(), color="black", ls=":", lw=1)
    ax.set_xlabel("L2 distance, 64×64 pixels in [0, 1]")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path)


def dcgan_faces(job: Job) -> Outcome:
    p = job.params
    steps, n = int(p["steps"]), int(p["samples"])
    run_dir = job.train("dcgan-faces", [f"train.steps={steps}", f"model.ngf={p['ngf']}", f"model.ndf={p['ndf']}"])
    run = load_run(run_dir)
    train = real_images(run.config.data, run.config.data.split).float() / 255
    samples = unit_sampler(run)(n, 0)
    stats = memorisation(samples, train)

    grid = make_grid(samples[:64], nrow=8, value_range=(0.0, 1.0))
    save_png(job.figure("samples.png", f"64 samples after {steps:,} steps"), grid)
    _panel(samples, train, stats, job.figure("neighbours.png", _PANEL_CAPTION))
    _histogram(stats, job.figure("distances.png", "Nearest-neighbour distances: samples vs training images"))

    ratio, below = stats["ratio"], stats["below_min"]
    train_min = stats["train_nn"].min().item()
    rows = [
        Row("memorisation ratio: median NN distance, samples / training", f"{ratio:.2f}", note=(
            f"{n:,} samples; ≈ 1 or more: as far from the training set as its faces are from each other; ≪ 1: copies")),
        Row("share of samples nearer a training face than any two training faces", f"{below:.1%}",
            note=f"train-train minimum {train_min:.2f}"),
    ]  # fmt: skip
    return Outcome(rows, job.figures, _text(job, steps, n, len(train), stats))


_PANEL_CAPTION = (
    f"Top row: {PANEL} samples at evenly spaced ranks of their nearest-neighbour distance (most copy-like left); "
    f"below each, its {NEIGHBOURS} nearest training faces with the L2 distance"
)


def _text(job: Job, steps: int, n: int, n_train: int, stats: dict) -> str:
    ratio, below = stats["ratio"], stats["below_min"]
    med_s, med_t = stats["sample_nn"].median().item(), stats["train_nn"].median().item()
    if ratio < 0.5:
        reading = "far below 1: most samples sit on top of a training face, so G has largely memorised its data"
    elif ratio < 0.9:
        reading = "below 1: samples lie closer to training faces than those faces lie to each other, a lean to copying"
    else:
        reading = (
            "about 1 or above: samples are as far from the training set as training faces are from each other "
            "(which says nothing about whether they look like faces; the sample grid does)"
        )
    return (
        f"The `dcgan-faces` preset (DCGAN-64, ngf {job.params['ngf']}, ndf {job.params['ndf']}, Adam 2e-4, batch "
        f"64, EMA of G) trained for {steps:,} steps on all {n_train} Olivetti faces (64×64 gray), i.e. "
        f"{round(steps * 64 / n_train):,} epochs. No paper reports a number for this set; the question is whether "
        f"G invents faces or replays the {n_train} it saw.\n\n"
        f"Over {n:,} samples, the median distance to the nearest training face is {med_s:.2f}, against {med_t:.2f} "
        f"from a training face to its nearest other one: a ratio of {ratio:.2f}, {reading}. {below:.1%} of the "
        f"samples are closer to a training face than the closest pair of training faces "
        f"({stats['train_nn'].min():.2f})."
        " Note that ten shots of one person are close to each other, so the training-side scale is that of the same "
        "person in another pose; a sample much closer than that is a near copy of one photograph."
    )
