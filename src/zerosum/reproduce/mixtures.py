"""`ring-8` and `grid-25`: mode coverage of 2-D Gaussian mixtures over many seeds, against PacGAN's table.

A single seed says little about mode collapse: a recipe that covers all modes once may drop three the next time.
So every seed is its own run, and the rows give the mean and the worst seed. The recipe (packing, schedule, EMA)
is a budget parameter (see `catalogue`), so a page always names the techniques its numbers came from.
"""

from __future__ import annotations

import contextlib

import numpy as np
import yaml

from zerosum.data.toy import grid_modes, ring_modes
from zerosum.plots import pyplot, save_figure
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run
from zerosum.sampling import sample

HQ_TARGET = 0.97
KL_TARGET = 0.02

# Lin et al. 2018 (PacGAN), the 2D-ring and 2D-grid tables: modes, high-quality share, reverse KL.
ANCHORS = {
    "ring-8": {"modes": 8, "gan": "GAN 6.3", "pac": "PacGAN4 7.8", "hq": "PacGAN4 95.9%", "kl": "PacGAN4 0.07"},
    "grid-25": {"modes": 25, "gan": "GAN 17.3", "pac": "PacGAN4 24.8", "hq": "PacGAN4 93.6%", "kl": "PacGAN4 0.04"},
}

# What an override does, for the page's text; an override not listed here is shown as written.
TECHNIQUES = {
    "model.pack": "PacGAN packing of {v} samples per D input",
    "train.r1_gamma": "R1 penalty γ = {v} on D's real inputs",
    "train.lr_g": "Adam lr {v:g} for G",
    "train.lr_d": "Adam lr {v:g} for D",
    "train.betas": "Adam β = ({v[0]}, {v[1]})",
    "train.lr_anneal_from": "lr annealed linearly to 0 from {v:.0%} of the run",
    "train.ema": "sampling from an EMA of G (decay {v})",
    "train.update": "{v} updates of D and G",
    "train.batch_size": "batches of {v} points",
    "train.steps": "{v:,} steps",
    "sample.rejection": "discriminator rejection sampling ({v})",
    "sample.drs_calibrate_steps": "D calibrated {v:,} steps against the final G before rejecting",
    "sample.drs_quantile": "rejection threshold at the {v:.0%} quantile of D's logits",
}


def _scatter(job: Job, name: str, runs: list, caption: str) -> None:
    plt = pyplot()
    modes = ring_modes(8, 1.0) if name == "ring-8" else grid_modes(5, 2.0)
    fig, axes = plt.subplots(1, len(runs), figsize=(3.0 * len(runs), 3.0))
    for ax, (seed, run) in zip(np.atleast_1d(axes), runs, strict=True):
        pts = sample(run, 2500, seed=0).images.numpy()
        ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4, color="tab:green")
        ax.scatter(modes[:, 0], modes[:, 1], s=12, marker="x", color="black")
        ax.set_title(f"seed {seed}", fontsize=9)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    save_figure(fig, job.figure(f"{name}.png", caption))


def coverage(job: Job, name: str) -> Outcome:
    p = job.params
    metric = "modes_ring8" if name == "ring-8" else "modes_grid25"
    preset = p.get("preset", name)  # the benchmark's own small MLP, or PacGAN's models (pacgan-ring8, -grid25)
    seeds = list(range(int(p["seeds"])))
    overrides = [f"train.steps={p['steps']}", *p["recipe"]]
    stats, runs = [], []
    todo = [([*overrides, f"train.seed={seed}"], f"seed{seed}") for seed in seeds]
    for seed, run_dir in zip(seeds, job.train_many(preset, todo, int(p.get("workers", 1))), strict=True):
        record = job.evaluate(run_dir, [metric])[metric]
        kl = record["details"]["kl"]  # None when no sample is of high quality
        stats.append((record["value"], record["details"]["high_quality"], float("nan") if kl is None else kl))
        if len(runs) < 4:
            runs.append((seed, load_run(run_dir)))
    modes, hq, kl = (np.array(col, dtype=float) for col in zip(*stats, strict=True))
    a = ANCHORS[name]
    k = a["modes"]
    rows = [
        Row(f"modes of {k} (mean; worst seed)", f"{modes.mean():.2f}; {int(modes.min())}",
            f"{a['gan']}; {a['pac']}", f"{k} in every seed", bool(modes.min() == k)),
        Row("high-quality samples (mean; worst)", f"{hq.mean():.1%}; {hq.min():.1%}", a["hq"],
            f"≥ {HQ_TARGET:.0%}", bool(hq.mean() >= HQ_TARGET)),
        Row("reverse KL (mean; worst)", f"{kl.mean():.3f}; {kl.max():.3f}", a["kl"], f"≤ {KL_TARGET}",
            bool(kl.mean() <= KL_TARGET)),
    ]  # fmt: skip
    _scatter(job, name, runs, f"2,500 samples (green) and the {k} modes (×), seeds {runs[0][0]}–{runs[-1][0]}")
    techniques = ", ".join(_technique(o) for o in p["recipe"]) or "no changes"
    per_seed = "; ".join(
        f"seed {s}: {int(m)} modes, {h:.1%}, KL {q:.3f}" for s, (m, h, q) in zip(seeds, stats, strict=True)
    )
    text = (
        f"{len(seeds)} runs of the `{preset}` preset, {p['steps']:,} steps each, seeds 0–{len(seeds) - 1}, with "
        f"{techniques}. Protocol `{metric}` (2,500 samples; a "
        "sample is high quality within 3σ of its nearest mode; reverse KL of the high-quality mode histogram to "
        f"uniform), as in VEEGAN and PacGAN. Per seed: {per_seed}."
    )
    return Outcome(rows, job.figures, text)


def _technique(override: str) -> str:
    """`model.pack=4` → "PacGAN packing of 4 samples per D input (`model.pack=4`)"."""
    key, _, value = override.partition("=")
    if key not in TECHNIQUES:
        return f"`{override}`"
    parsed = yaml.safe_load(value)
    if isinstance(parsed, str):  # YAML 1.1 reads 1e-3 (no dot) as text; the config reads it as a number
        with contextlib.suppress(ValueError):
            parsed = float(parsed)
    try:
        text = TECHNIQUES[key].format(v=parsed)
    except (ValueError, TypeError):  # a value the phrase cannot format: show it as written
        return f"`{override}`"
    return f"{text} (`{override}`)"


def ring_8(job: Job) -> Outcome:
    return coverage(job, "ring-8")


def grid_25(job: Job) -> Outcome:
    return coverage(job, "grid-25")
