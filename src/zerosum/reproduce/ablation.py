"""`dcgan-ablation`: the DCGAN paper's training details on MNIST, each changed alone, two seeds each.

Radford et al. 2015 (section 4) report three choices without a table: Adam's β1 at 0.5 (0.9 "resulted in training
oscillation and instability"), lr 2e-4 (1e-3 "too high") and BatchNorm in G and D ("critical to get deep
generators to begin learning"). Each variant here is the `dcgan-mnist` preset with ONE of them changed, trained as
long as the baseline from the same seeds, and scored by the project's LeNet metrics (seconds, not Inception's
minutes). `fd_lenet` is also measured during training, so the page shows whether a run has levelled off.

A variant is called worse only when the gap exceeds the seeds' spread (see `verdict`): with two seeds a small gap
is noise. The fast budget (ngf = ndf = 32, batch 128, 28×28 as the preset) anneals every run's lr linearly to 0
over its second half: at the paper's constant lr 2e-4 the baseline's `fd_lenet` still fell 20% over the last
quarter of 4,000 steps and jittered by ±15% between curve points after that, more steps than 8 runs can afford on
2 CPU cores, while with the annealing its curve levels off within 2,500 (−3.5% over the last quarter). Sizing
(2-core Intel Xeon with AMX, 2026-12-02): 13 steps/s on one thread, one curve point (10,000 samples through the
LeNet) ~3.5 s, so a run of 2,500 steps with 10 points takes about 3.8 min and the 8 runs, two at a time on one
thread each (`workers`), about 16 min. The paper budget trains 5,000 steps at the preset's ngf = 64 and the
paper's constant lr.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from zerosum.errors import ConfigError
from zerosum.images import make_grid
from zerosum.plots import pyplot, save_figure
from zerosum.reproduce.fid_tables import describe, fmt, minutes
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run, read_config
from zerosum.sampling import sample
from zerosum.training.logbook import read_jsonl

PRESET = "dcgan-mnist"
# name → (row label, the paper's words, the one change)
VARIANTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "baseline": ("baseline: Adam 2e-4, β1 0.5, BatchNorm", "the paper's defaults", ()),
    "beta1-0.9": ("β1 = 0.9", "paper: oscillation and instability", ("train.betas=[0.9, 0.999]",)),
    "lr-1e-3": ("lr = 1e-3 (G and D)", "paper: too high", ("train.lr_g=0.001", "train.lr_d=0.001")),
    "no-batchnorm": ("no BatchNorm (G and D)", "paper: G fails to start learning", ("model.batch_norm=false",)),
}
# Why a change shared by every variant is there, for the page.
BASE_WHY = {
    "train.ema": "the paper sampled G itself, without an EMA",
    "train.lr_anneal_from": "each run's lr falls linearly to 0 over its last part, so every run ends where its "
    "training settles rather than mid-descent, and the variants are compared converged",
}
WORSE = "worse than baseline (higher value)"
SETTLED = 0.10  # a run has levelled off when its curve moved by at most this share over the last quarter


@dataclass
class Trial:
    """One variant trained from one seed: its run, training time, final records and curve of the head metric."""

    seed: int
    run_dir: Path
    seconds: float | None
    records: dict[str, dict]
    curve: list[tuple[int, float]]

    def value(self, metric: str) -> float | None:
        return self.records[metric]["value"]


def verdict(variant: list[float | None], base: list[float | None], higher_is_better: bool) -> tuple[bool, str]:
    """Whether the variant is worse than the baseline, and why: its seed-mean must be worse AND its best seed worse
    than the baseline's worst seed, so an overlap of the seeds' ranges is never called a difference."""
    if any(v is None for v in variant):
        return True, "a seed gave no value (diverged)"
    if any(b is None for b in base):
        return False, "the baseline gave no value"
    sign = -1.0 if higher_is_better else 1.0  # compare as "lower is better"
    v, b = [sign * x for x in variant], [sign * x for x in base]  # type: ignore[operator]
    if mean(v) <= mean(b):
        return False, "not worse: its seed-mean is as good or better"
    if min(v) > max(b):
        return True, "worse: every seed worse than every baseline seed"
    return False, "not clearly worse: the seeds overlap the baseline's"


def settled(curve: list[tuple[int, float]]) -> float | None:
    """Relative change of the curve over the last quarter of training: from its last point at or before 3/4 of
    the final step to the final point (None without such a point). Two neighbouring points can lie within a few
    percent while the curve still falls steadily; a quarter of the run shows the trend."""
    if len(curve) < 2:
        return None
    last_step, last = curve[-1]
    earlier = [v for s, v in curve[:-1] if s <= 0.75 * last_step]
    if not earlier or earlier[-1] == 0:
        return None
    return (last - earlier[-1]) / abs(earlier[-1])


def levelled(curve: list[tuple[int, float]]) -> bool:
    """Converged by the page's rule: at most SETTLED change over the last quarter (no curve: not known, so no)."""
    change = settled(curve)
    return change is not None and abs(change) <= SETTLED


def _change(t: Trial) -> str:
    change = settled(t.curve)
    return "no curve" if change is None else f"{change:+.0%} over the last quarter"


def read_curve(run_dir: Path, metric: str) -> list[tuple[int, float]]:
    """(step, value) of `eval/<metric>` as the trainer logged it in metrics.jsonl."""
    key = f"eval/{metric}"
    return [(int(r["step"]), float(r[key])) for r in read_jsonl(run_dir / "metrics.jsonl") if key in r]


def _check(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ConfigError(f"--param variants: unknown {unknown}; choose from {', '.join(VARIANTS)}")
    if "baseline" not in names:
        raise ConfigError("--param variants must include baseline: every other variant is judged against it")
    return ["baseline", *[n for n in names if n != "baseline"]]


def _grids(job: Job, runs: dict[str, Path], steps: int, seed: int) -> None:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(3.2 * len(runs), 3.5))
    for ax, (name, run_dir) in zip([axes] if len(runs) == 1 else axes, runs.items(), strict=True):
        s = sample(load_run(run_dir), 36, seed=0)
        ax.imshow(make_grid(s.images, nrow=6, value_range=s.value_range or (-1.0, 1.0)).squeeze(), cmap="gray")
        ax.set_title(VARIANTS[name][0], fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, job.figure("variants.png", f"36 samples of each variant after {steps:,} steps (seed {seed})"))


def _curves(job: Job, trials: dict[str, list[Trial]], metric: str) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    styles = ["-", "--", ":", "-."]
    for i, (name, runs) in enumerate(trials.items()):
        for j, t in enumerate(runs):
            if t.curve:
                steps, values = zip(*t.curve, strict=True)
                label = f"{VARIANTS[name][0]}, seed {t.seed}"
                ax.plot(steps, values, color=f"C{i}", linestyle=styles[j % len(styles)], marker=".", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"{metric} (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the axes: the curves cross
    fig.tight_layout()
    caption = f"{metric} during training, every variant and seed (one colour per variant, one line style per seed)"
    save_figure(fig, job.figure("curves.png", caption))


def _base_change(override: str) -> str:
    why = BASE_WHY.get(override.partition("=")[0])
    return f"`{override}`" + (f" ({why})" if why else "")


def _note(runs: list[Trial], metrics: list[str]) -> str:
    parts = []
    for t in runs:
        flat = f", {_change(t)}" if t.curve else ""
        parts.append(f"seed {t.seed}: " + ", ".join(f"{m} {fmt(t.value(m))}" for m in metrics) + flat)
    return "; ".join(parts)


def dcgan_ablation(job: Job) -> Outcome:
    p = job.params
    metrics, steps, seeds = [str(m) for m in p["metrics"]], int(p["steps"]), list(range(int(p["seeds"])))
    head, every = metrics[0], int(p["eval_every"])
    skipped: dict[str, str] = {}
    todo: list[tuple[str, int, list[str]]] = []
    for name in _check(list(p["variants"])):
        change = [*p["base"], *VARIANTS[name][2]]
        try:
            job.config(PRESET, change)
        except ConfigError as err:  # a change this version cannot express yet is reported, not dropped
            skipped[name] = str(err)
            continue
        curve = [f"eval.every={every}", f"eval.metrics={head}"]
        todo += [(name, seed, [*change, *curve, f"train.seed={seed}", f"train.steps={steps}"]) for seed in seeds]
    runs = [(overrides, f"{name}-seed{seed}") for name, seed, overrides in todo]
    trials: dict[str, list[Trial]] = {}
    for (name, seed, _), run_dir in zip(todo, job.train_many(PRESET, runs, int(p.get("workers", 1))), strict=True):
        records = job.evaluate(run_dir, metrics)
        seconds = job.seconds.get(run_dir.name)  # None: a finished run was reused
        trials.setdefault(name, []).append(Trial(seed, run_dir, seconds, records, read_curve(run_dir, head)))

    base = trials["baseline"]
    higher_is_better = bool(base[0].records[head].get("higher_is_better", False))
    base_values = [t.value(head) for t in base]
    rows, trail, unsettled = [], [], []
    for name, (label, anchor, _) in VARIANTS.items():
        if name in skipped:
            rows.append(Row(label, "not run", anchor, WORSE, None, skipped[name]))
            continue
        if name not in trials:
            continue
        runs = trials[name]
        values = [t.value(head) for t in runs]
        shown = "n/a" if None in values else f"{fmt(mean(values))} (mean of {len(values)} seeds)"  # type: ignore[arg-type]
        note = _note(runs, metrics)
        if name == "baseline":
            rows.append(Row(label, shown, anchor, "—", None, note))
        else:
            worse, why = verdict(values, base_values, higher_is_better)
            rows.append(Row(label, shown, anchor, WORSE, worse, f"{why}; {note}"))
        seconds = [t.seconds for t in runs]
        trail.append(f"{name} {minutes(None if None in seconds else sum(seconds))}")  # type: ignore[arg-type]
        unsettled += [f"{name} seed {t.seed} ({_change(t)})" for t in runs if not levelled(t.curve)]
    _curves(job, trials, head)
    _grids(job, {name: runs[0].run_dir for name, runs in trials.items()}, steps, seeds[0])

    cfg = read_config(base[0].run_dir)
    base_text = ", ".join(_base_change(o) for o in p["base"]) or "no other change"
    seed_text = ", ".join(str(s) for s in seeds)
    text = (
        f"Each variant is `{PRESET}` with {base_text} in every variant, "
        f"plus the variant's one change; the baseline trains {describe(cfg)}. Every variant trains {steps:,} steps "
        f"from seeds {seed_text}, with `{head}` measured every {every:,} steps for the curves. The value is the mean "
        f"over seeds of `{head}` ({'higher' if higher_is_better else 'lower'} is better) on each run's last "
        f"checkpoint; the note has each seed's {', '.join(f'`{m}`' for m in metrics)} and how much its curve "
        "moved over the last quarter of training. 'met' says whether the change made the model worse than the "
        "baseline, as the paper found: only when the variant's seed-mean is worse and its best seed is also worse "
        f"than the baseline's worst seed. Training time per variant (all seeds): {', '.join(trail)}."
    )
    rule = f"`{head}` moved by at most {SETTLED:.0%} over the last quarter of training"
    if unsettled:
        text += (
            f" A run counts as converged when {rule}. Not converged: {', '.join(unsettled)}; their final values "
            "are a snapshot of a moving curve, not where training ends."
        )
        if any(u.startswith("baseline ") for u in unsettled):
            text += (
                " As the baseline itself is still moving, each verdict compares snapshots at the same step, "
                "not trained-out models."
            )
    else:
        text += f" Every run converged: {rule}."
    not_worse = [r.metric for r in rows[1:] if r.met is False]
    if not_worse:
        text += (
            f" Not worse than the baseline after {steps:,} steps: {', '.join(not_worse)}. The paper's warnings are "
            "about training over many epochs; read these rows against the curves and `--budget paper`."
        )
    if skipped:
        text += f" Not run, as this version cannot express them: {', '.join(skipped)}."
    return Outcome(rows, job.figures, text)
