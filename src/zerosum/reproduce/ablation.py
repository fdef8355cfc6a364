"""`dcgan-ablation`: the DCGAN paper's training details on MNIST, each changed alone in a short run.

Radford et al. 2015 (section 4) report three choices without a table: Adam's β1 at 0.5 (0.9 "resulted in training
oscillation and instability"), lr 2e-4 (1e-3 "too high") and BatchNorm in G and D ("critical to get deep
generators to begin learning"). Each variant here is the `dcgan-mnist` preset with ONE of them changed, trained as
long as the baseline from the same seed, and scored by the project's LeNet metrics (seconds, not Inception's
minutes). One seed per variant: a small gap says little, the table says which changes hurt by how much.
"""

from __future__ import annotations

from pathlib import Path

from zerosum.errors import ConfigError
from zerosum.images import make_grid
from zerosum.plots import pyplot, save_figure
from zerosum.reproduce.fid_tables import fmt, minutes, train_timed
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run
from zerosum.sampling import sample

PRESET = "dcgan-mnist"
# name → (row label, the paper's words, the one change)
VARIANTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "baseline": ("baseline: Adam 2e-4, β1 0.5, BatchNorm", "the paper's defaults", ()),
    "beta1-0.9": ("β1 = 0.9", "paper: oscillation and instability", ("train.betas=[0.9, 0.999]",)),
    "lr-1e-3": ("lr = 1e-3 (G and D)", "paper: too high", ("train.lr_g=0.001", "train.lr_d=0.001")),
    "no-batchnorm": ("no BatchNorm (G and D)", "paper: G fails to start learning", ("model.batch_norm=false",)),
}
WORSE = "worse than baseline (higher value)"


def _check(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ConfigError(f"--param variants: unknown {unknown}; choose from {', '.join(VARIANTS)}")
    if "baseline" not in names:
        raise ConfigError("--param variants must include baseline: every other variant is judged against it")
    return ["baseline", *[n for n in names if n != "baseline"]]


def _grids(job: Job, runs: dict[str, Path], steps: int) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(3.2 * len(runs), 3.5))
    for ax, (name, run_dir) in zip([axes] if len(runs) == 1 else axes, runs.items(), strict=True):
        s = sample(load_run(run_dir), 36, seed=0)
        ax.imshow(make_grid(s.images, nrow=6, value_range=s.value_range or (-1.0, 1.0)).squeeze(), cmap="gray")
        ax.set_title(VARIANTS[name][0], fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, job.figure("variants.png", f"36 samples of each variant after {steps:,} steps (seed 0)"))


def dcgan_ablation(job: Job) -> Outcome:
    p = job.params
    metrics, steps = [str(m) for m in p["metrics"]], int(p["steps"])
    head = metrics[0]
    results, runs, skipped, times = {}, {}, {}, {}
    for name in _check(list(p["variants"])):
        try:
            job.config(PRESET, [*p["base"], *VARIANTS[name][2]])
        except ConfigError as err:  # a change this version cannot express yet is reported, not dropped
            skipped[name] = str(err)
            continue
        overrides = [*p["base"], *VARIANTS[name][2], f"train.steps={steps}"]
        runs[name], times[name] = train_timed(job, PRESET, overrides, name=name)
        results[name] = job.evaluate(runs[name], metrics)

    base = results["baseline"][head]["value"]
    higher_is_better = bool(results["baseline"][head].get("higher_is_better", False))
    rows, trail = [], []
    for name, (label, anchor, _) in VARIANTS.items():
        if name in skipped:
            rows.append(Row(label, "not run", anchor, WORSE, None, skipped[name]))
            continue
        if name not in results:
            continue
        value = results[name][head]["value"]
        others = "; ".join(f"{m} {fmt(results[name][m]['value'])}" for m in metrics[1:])
        worse = None if value is None or base is None else bool(value < base if higher_is_better else value > base)
        if name == "baseline":
            rows.append(Row(label, fmt(value), anchor, "—", None, others))
        else:
            rows.append(Row(label, fmt(value), anchor, WORSE, True if value is None else worse, others))
        trail.append(f"{label}: {head} {fmt(value)} ({minutes(times[name])})")
    if runs:
        _grids(job, runs, steps)
    base_text = ", ".join(f"`{o}`" for o in p["base"]) or "no other change"
    text = (
        f"Each variant is `{PRESET}` (DCGAN-28, ngf = ndf = 64, batch 128, non-saturating loss) with {base_text} "
        "in every variant (the paper sampled G itself, without an EMA) plus the variant's one change, trained "
        f"{steps:,} steps from seed 0. The value is `{head}` ({'higher' if higher_is_better else 'lower'} is "
        f"better) on the run's last checkpoint; the note has {', '.join(f'`{m}`' for m in metrics[1:]) or 'nothing'}. "
        f"'met' says whether the change made the model worse than the baseline, as the paper found. {'; '.join(trail)}."
    )
    not_worse = [r.metric for r in rows[1:] if r.met is False]
    if not_worse:
        text += (
            f" Not worse than the baseline after {steps:,} steps: {', '.join(not_worse)}. The paper's warnings are "
            "about training over many epochs (oscillation, divergence, a generator that never starts); a run this "
            "short mostly rewards whatever learns fastest, so read this row against `--budget paper`."
        )
    if skipped:
        text += f" Not run, as this version cannot express them: {', '.join(skipped)}."
    return Outcome(rows, job.figures, text)
