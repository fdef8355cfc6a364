"""`toy-1d`: the GAN paper's Figure 1 — uniform z pushed onto a 1-D Gaussian, and D(x) flattening towards 1/2.

One training run keeps a checkpoint at every `moments` step, so the four panels (a)–(d) are the same run seen at
four times, not four runs. At the end the paper's claim is measured, not eyeballed: the largest |D(x) − ½| over
the data's central 95% (μ ± 2σ) and the Wasserstein-1 distance between 100,000 samples of G and p_data.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from zerosum.plots import pyplot, save_figure
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import Run, load_run
from zerosum.sampling import sample
from zerosum.training.checkpoint import checkpoint_name

D_TARGET = 0.05  # max |D(x) − ½| on μ ± 2σ
W1_TARGET = 0.05  # in data units; σ = 0.5


def wasserstein_to_normal(x: np.ndarray, mu: float, sigma: float) -> float:
    """W1 between the empirical law of `x` and N(mu, sigma): mean |x_(i) − F⁻¹((i − ½)/n)| over sorted x."""
    from scipy.stats import norm

    x = np.sort(np.asarray(x, dtype=np.float64).ravel())
    q = norm.ppf((np.arange(len(x)) + 0.5) / len(x), loc=mu, scale=sigma)
    return float(np.abs(x - q).mean())


@torch.inference_mode()
def d_of_x(run: Run, grid: np.ndarray) -> np.ndarray:
    """D at each grid point; a packed D judges `pack` copies of the point together."""
    x = torch.as_tensor(grid, dtype=torch.float32).reshape(-1, 1).to(run.device)
    x = x.repeat_interleave(run.D.pack, dim=0)
    return torch.sigmoid(run.D(x).float()).cpu().numpy()


def _snapshot(run: Run, mu: float, sigma: float, n: int) -> dict:
    fake = sample(run, n, seed=1).images.numpy().ravel()
    support = np.linspace(mu - 2 * sigma, mu + 2 * sigma, 401)
    return {
        "step": run.step,
        "fake": fake,
        "d_max_dev": float(np.abs(d_of_x(run, support) - 0.5).max()),
        "w1": wasserstein_to_normal(fake, mu, sigma),
        "run": run,
    }


def _figure(snaps: list[dict], mu: float, sigma: float, path) -> None:
    plt = pyplot()
    lo, hi = mu - 5 * sigma, mu + 5 * sigma
    lo = min(lo, *(float(np.quantile(s["fake"], 0.001)) for s in snaps))
    hi = max(hi, *(float(np.quantile(s["fake"], 0.999)) for s in snaps))
    grid = np.linspace(lo, hi, 400)
    density = np.exp(-0.5 * ((grid - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    fig, axes = plt.subplots(1, len(snaps), figsize=(3.4 * len(snaps), 3.0), sharey=True)
    for ax, s, tag in zip(axes, snaps, "abcd", strict=False):
        ax.plot(grid, density, color="black", ls=":", lw=1.5, label="p_data")
        ax.hist(s["fake"], bins=np.linspace(lo, hi, 90), density=True, color="tab:green", alpha=0.5, label="p_g")
        ax.plot(grid, d_of_x(s["run"], grid), color="tab:blue", ls="--", lw=1.5, label="D(x)")
        ax.axhline(0.5, color="gray", lw=0.5)
        ax.set_title(f"({tag}) step {s['step']}: W1 {s['w1']:.3f}", fontsize=9)
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, max(1.05, float(density.max()) * 1.1))
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)


def toy_1d(job: Job) -> Outcome:
    p = job.params
    moments = sorted(int(m) for m in p["moments"])
    every = math.gcd(*[m for m in moments if m > 0])
    overrides = [
        f"train.steps={p['steps']}",
        f"train.ckpt_every={every}",
        f"train.keep_checkpoints={p['steps'] // every + 1}",
        *p["recipe"],
    ]
    run_dir = job.train("toy-1d", overrides)
    mu, sigma = 4.0, 0.5
    snaps = [_snapshot(load_run(run_dir, checkpoint_name(m)), mu, sigma, int(p["samples"])) for m in moments]
    _figure(snaps, mu, sigma, job.figure("figure1.png", "p_data (dotted), p_g (green) and D(x) (dashed), (a)–(d)"))
    end = snaps[-1]
    rows = [
        Row("max |D(x) − ½| on μ ± 2σ, end", f"{end['d_max_dev']:.3f}", "0 at the optimum (Prop. 1)",
            f"≤ {D_TARGET}", end["d_max_dev"] <= D_TARGET),
        Row("Wasserstein-1(p_g, p_data), end", f"{end['w1']:.4f}", "0 at the optimum (Thm. 1)",
            f"≤ {W1_TARGET} (σ = {sigma})", end["w1"] <= W1_TARGET),
    ]  # fmt: skip
    trail = ", ".join(f"step {s['step']}: W1 {s['w1']:.3f}, max|D−½| {s['d_max_dev']:.3f}" for s in snaps)
    text = (
        f"Data N({mu}, {sigma}); z ~ U(−1, 1), one dimension; the `toy-1d` preset's MLPs (maxout D), "
        f"non-saturating loss, Adam, {p['steps']} steps with {', '.join(f'`{r}`' for r in p['recipe']) or 'no changes'}"
        f". Along the run: {trail}. W1 uses {int(p['samples']):,} samples of G against "
        "the exact quantiles of p_data."
    )
    return Outcome(rows, job.figures, text)
