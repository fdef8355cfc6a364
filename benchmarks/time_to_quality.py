"""Time to quality: the demo recipe against the PyTorch DCGAN tutorial's recipe, for one wall-clock budget.

    python benchmarks/time_to_quality.py [--budget 300] [--points 10] [--n 2000] [--seed 0] [--warmup 10]
                                         [--tutorial-budget S] [--demo-steps N | --demo-anneal time]
                                         [--device auto|cpu|cuda]
                                         [--set-demo KEY=VALUE] [--set-tutorial KEY=VALUE]
                                         [--json PATH] [--plot PATH]

Both recipes train on the built-in MNIST 28×28 (the presets' data section) with zerosum's `train_step`, in one
process, for `--budget` seconds of training each. The point is the recipe, not the loop:

- demo: the `demo` preset as it stands (presets/demo.yaml: a narrow DCGAN-28, Adam with β = (0, 0.99) at a high
  lr annealed linearly to 0 over the second half, R1, a shared G pass, an EMA of G, batch 64, fp32).
- tutorial: the `dcgan-mnist` preset (DCGAN-28, ngf = ndf = 64) with the tutorial's settings forced: Adam 2e-4
  β = (0.5, 0.999) at a constant lr, batch 128, BCE (the non-saturating loss), no R1, fresh noise for G's step
  (`train.reuse_fake=false`), no EMA (samples come from G), fp32. The tutorial's own loop shares one G pass
  between the D- and the G-step; `--set-tutorial train.reuse_fake=true` measures that variant.

Both run through the same `train_step` with the same fast paths (`train.channels_last` as each preset resolves
it on this machine); the resolved settings of both are printed first.

The clock counts training only: perf_counter around each step (after a CUDA sync on a GPU). At fixed points of
training time — 0, an early one at budget/(2·points), then `--points` evenly spaced up to the budget — the clock
stops and 2,000 samples (`--n`) are drawn with a fixed seed from the sampling generator (the EMA copy when the
recipe keeps one; eval mode, as `zerosum evaluate` samples) and graded like the registered protocols:
`confident_lenet`, the share of samples the LeNet classifier puts above p = 0.9, and `fd_lenet`, the Fréchet
distance between LeNet penultimate features of the samples and of the 10,000 test images (computed once). The
protocols fix 10,000 samples; 2,000 keep the pauses short, and a Fréchet distance from 2,000 samples is biased
upward against the 10k protocol, so these values compare within this benchmark only. 2,000 real training images,
graded the same way, are printed as the floor. The two recipes alternate between time points, so a change in
the machine's load falls on both.

The demo's lr anneal and a time budget. The demo anneals its lr linearly to 0 over `train.steps`. Here its
`train.steps` is set so that the anneal ends at the budget: steps/s measured over `--warmup` seconds on a throwaway
copy of the demo (not counted) × budget; `--demo-steps N` sets it by hand (`--demo-steps 3000` runs the preset as it
ships). The demo stops at the budget or at `train.steps`, whichever comes first; the printout says how far its
anneal got. A rate measured in seconds can be off when the machine's load changes; then `--demo-anneal time` makes
the same linear anneal follow the training clock instead of the step count (through the state's `lr_scale`, which
multiplies the scheduled lr), so it ends at the budget whatever the speed. Its points before the budget come from
this one run, in mid-anneal: a demo given only T seconds would anneal by T and likely do better at T, so its early
points understate it and the ratios below are conservative for the demo. The tutorial's lr is constant, so each of
its points is what a run of that length reaches.

Prints a table per recipe (training seconds, steps, epochs, confident_lenet, fd_lenet), then for each of the
demo's points T: the training time the tutorial recipe needs to reach the demo's value at T (first crossing,
linear interpolation between its points) divided by T, or "not reached within the budget" with the lower bound
that implies; and a summary line with the ratio at the demo's last point. At T = budget that ratio can only be
measured when the tutorial trains longer: `--tutorial-budget` (default: `--budget`) extends its curve at the
same spacing. `--json PATH` writes the settings, curves and ratios; `--plot PATH` a PNG of both curves.
Expect about 2 × budget + warm-up + 2 s per point of wall time on a 2-core CPU; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from zerosum.config import DataInfo, RunConfig, resolve
from zerosum.data import load_dataset
from zerosum.data.dataset import place
from zerosum.evaluation import unit_sampler
from zerosum.losses import get_loss
from zerosum.metrics import classifier as clf
from zerosum.metrics.frechet import feature_stats, frechet_distance
from zerosum.run import Run
from zerosum.runtime import describe_hardware, resolve_device
from zerosum.training.evaluator import eval_mode, untouched_rng
from zerosum.training.state import build_state
from zerosum.training.step import train_step

DATASET = "mnist"
EVAL_SEED = 0  # the samples' noise: the same at every point and for both recipes
NEVER = 10**9  # train.steps of the tutorial recipe: it has no schedule, so only the clock stops it
DEMO = ("demo", [])
TUTORIAL = (
    "dcgan-mnist",
    [
        "train.optimizer=adam",
        "train.lr_g=2.0e-4",
        "train.lr_d=2.0e-4",
        "train.betas=[0.5, 0.999]",
        "train.lr_anneal_from=null",
        "train.lr_decay=1.0",
        "train.batch_size=128",
        "train.loss=nonsaturating",
        "train.d_steps=1",
        "train.r1_gamma=0",
        "train.reuse_fake=false",
        "train.ema=0",
        "train.amp=off",
        f"train.steps={NEVER}",
    ],
)
METRICS = {"confident_lenet": True, "fd_lenet": False}  # name → higher is better
SHOWN = [  # (label, how to read it from a RunConfig) for the settings table
    ("preset", lambda c: c.preset),
    ("model", lambda c: f"{c.model.arch} nz={c.model.nz} ngf={c.model.ngf} ndf={c.model.ndf}"),
    ("batch", lambda c: c.train.batch_size),
    ("optimizer", lambda c: f"{c.train.optimizer} lr_g={c.train.lr_g:g} lr_d={c.train.lr_d:g} betas={c.train.betas}"),
    ("lr schedule", None),  # the Recipe's: the demo's anneal may follow the clock
    ("loss", lambda c: c.train.loss),
    ("d_steps", lambda c: c.train.d_steps),
    ("R1", lambda c: f"gamma={c.train.r1_gamma:g} every {c.train.r1_every}" if c.train.r1_gamma else "off"),
    ("G step noise", lambda c: "shared with the D-step" if c.train.reuse_fake else "fresh"),
    ("EMA of G", lambda c: c.train.ema or "off (samples from G)"),
    ("amp", lambda c: c.train.amp),
    ("channels_last", lambda c: c.train.channels_last),
    ("seed", lambda c: c.train.seed),
]


def _schedule(cfg: RunConfig, anneal_seconds: float | None) -> str:
    t = cfg.train
    if anneal_seconds is not None:
        return f"linear to 0 over {anneal_seconds:g} s of training (by the clock)"
    parts = [] if t.lr_decay == 1.0 else [f"/{t.lr_decay:g} per step (min {t.lr_min:g})"]
    if t.lr_anneal_from is not None:
        parts.append(f"linear to 0 from {t.lr_anneal_from:.0%} of {t.steps:,} steps")
    return ", ".join(parts) or "constant"


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class Judge:
    """Grades images in [0, 1] with the LeNet classifier: confident_lenet and fd_lenet at any sample count."""

    def __init__(self, device: torch.device) -> None:
        self.model = clf.get_classifier(DATASET, device)
        images, _ = clf.load_split(DATASET, "test")
        self.real_stats = feature_stats(clf.lenet_outputs(self.model, images).features)

    def __call__(self, images01: torch.Tensor) -> dict[str, float]:
        out = clf.lenet_outputs(self.model, images01)  # features and probabilities in one pass
        fd = frechet_distance(*feature_stats(out.features), *self.real_stats)
        return {"confident_lenet": clf.confident_share(out.probs), "fd_lenet": fd}


@dataclass
class Recipe:
    """One recipe's training state, its own training clock and its curve."""

    name: str
    cfg: RunConfig
    data: Any
    device: torch.device
    anneal_seconds: float | None = None  # set: the lr falls linearly to 0 over this much training time
    seconds: float = 0.0
    curve: list[dict[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        data = self.data
        self.cfg.data_info = DataInfo(
            kind=data.kind, shape=list(data.shape), num_classes=data.num_classes, classes=list(data.classes)
        )
        self.state = build_state(
            self.cfg, tuple(data.shape), 0, len(data), pixel_mean=data.pixel_mean(), device=self.device
        )
        self.loss = get_loss(self.cfg.train.loss)
        self.value_range = self.state.G.output_range

    @property
    def done(self) -> bool:
        return self.state.step >= self.cfg.train.steps

    @property
    def schedule(self) -> str:
        return _schedule(self.cfg, self.anneal_seconds)

    def step(self) -> None:
        if self.anneal_seconds is not None:  # lr_scale multiplies the scheduled lr (train.lr_anneal_from is off)
            self.state.lr_scale = max(0.0, 1.0 - self.seconds / self.anneal_seconds)
        train_step(self.state, self.data, self.loss, self.cfg.train, self.device, self.value_range, 0)

    def train_until(self, seconds: float) -> None:
        """Train until this recipe's clock reads `seconds` (or its schedule ends); only the steps are timed."""
        while self.seconds < seconds and not self.done:
            _sync(self.device)
            tic = time.perf_counter()
            self.step()
            _sync(self.device)
            self.seconds += time.perf_counter() - tic

    def samples(self, n: int) -> torch.Tensor:
        """n samples in [0, 1] from the sampling generator, in eval mode, without touching training's RNGs."""
        s = self.state
        run = Run(Path("."), self.cfg, s.G, s.D, s.G_ema, s.step, None, self.device)
        with untouched_rng(), eval_mode(run.generator):
            return unit_sampler(run)(n, EVAL_SEED)

    def evaluate(self, judge: Judge, n: int) -> dict[str, float]:
        t = self.cfg.train
        point = {
            "seconds": self.seconds,
            "steps": self.state.step,
            "epochs": self.state.sampler.batches * t.batch_size / len(self.data),
            **judge(self.samples(n)),
        }
        self.curve.append(point)
        return point


def warmup_rate(cfg: RunConfig, data, device: torch.device, seconds: float) -> float:
    """Steps per second of a throwaway copy of a recipe, after three untimed steps."""
    probe = Recipe("probe", cfg.model_copy(deep=True), data, device)
    for _ in range(3):
        probe.step()
    probe.train_until(seconds)
    return (probe.state.step - 3) / probe.seconds if probe.seconds > 0 else float("nan")


def time_points(budget: float, points: int, until: float) -> list[float]:
    """0, an early point at half the spacing, then every budget/points seconds up to `until` (≥ budget)."""
    spacing = budget / points
    out = [0.0, spacing / 2]
    k = 1
    while k * spacing <= until * (1 + 1e-9):
        out.append(k * spacing)
        k += 1
    return out


def time_to_reach(curve: list[dict[str, float]], metric: str, target: float) -> float | None:
    """Training seconds at which `curve` first reaches `target` (linear between its points), or None."""
    higher = METRICS[metric]
    previous = None
    for point in curve:
        value = point[metric]
        if (value >= target) if higher else (value <= target):
            if previous is None or previous[metric] == value:
                return point["seconds"]
            frac = (target - previous[metric]) / (value - previous[metric])
            return previous["seconds"] + frac * (point["seconds"] - previous["seconds"])
        previous = point
    return None


def ratios(demo: list[dict[str, float]], tutorial: list[dict[str, float]]) -> list[dict[str, Any]]:
    """For each of the demo's points after 0: per metric, the tutorial's time to reach it and that time / T (when
    it never does, the ratio exceeds the tutorial's last measured time / T)."""
    last = tutorial[-1]["seconds"]
    rows = []
    for point in demo:
        if point["seconds"] <= 0:
            continue
        row: dict[str, Any] = {"seconds": point["seconds"]}
        for metric in METRICS:
            needed = time_to_reach(tutorial, metric, point[metric])
            row[metric] = {
                "target": point[metric],
                "tutorial_seconds": needed,
                "ratio": needed / point["seconds"] if needed is not None else None,
                "ratio_above": last / point["seconds"] if needed is None else None,  # lower bound when unreached
            }
        rows.append(row)
    return rows


def _ratio_text(r: dict[str, Any]) -> str:
    if r["ratio"] is None:
        return f"not reached within the budget (> {r['ratio_above']:.1f}×)"
    return f"{r['tutorial_seconds']:.0f} s = {r['ratio']:.2f}×"


def print_settings(recipes: list[Recipe], rates: dict[str, float], budgets: dict[str, float]) -> None:
    width = max(len(label) for label, _ in SHOWN)
    print(f"{'setting':<{width}}  " + "  ".join(f"{r.name:<48}" for r in recipes).rstrip())
    for label, get in SHOWN:
        values = [r.schedule if get is None else get(r.cfg) for r in recipes]
        print(f"{label:<{width}}  " + "  ".join(f"{v!s:<48}" for v in values).rstrip())
    rate = "  ".join(f"{f'{rates[r.name]:.2f} steps/s, budget {budgets[r.name]:.0f} s':<48}" for r in recipes)
    print(f"{'warm-up rate':<{width}}  {rate.rstrip()}")


def print_curve(recipe: Recipe, reference: dict[str, float]) -> None:
    print(f"\n{recipe.name} ({recipe.cfg.preset})")
    print(f"{'train s':>8} {'steps':>7} {'epochs':>7} {'confident_lenet':>16} {'fd_lenet':>10}")
    for p in recipe.curve:
        print(
            f"{p['seconds']:>8.1f} {p['steps']:>7} {p['epochs']:>7.2f} "
            f"{p['confident_lenet']:>16.3f} {p['fd_lenet']:>10.2f}"
        )
    print(f"{'real':>8} {'':>7} {'':>7} {reference['confident_lenet']:>16.3f} {reference['fd_lenet']:>10.2f}")


def print_ratios(rows: list[dict[str, Any]]) -> None:
    print("\ntime the tutorial recipe needs to reach the demo's value at T, divided by T")
    print(f"{'T (s)':>7}  {'conf@T':>7}  {'tutorial needs':<40}  {'fd@T':>8}  {'tutorial needs':<40}")
    for row in rows:
        c, f = row["confident_lenet"], row["fd_lenet"]
        print(
            f"{row['seconds']:>7.1f}  {c['target']:>7.3f}  {_ratio_text(c):<40}  {f['target']:>8.2f}  {_ratio_text(f)}"
        )


def plot(recipes: list[Recipe], reference: dict[str, float], n: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, (ax_c, ax_f) = plt.subplots(1, 2, figsize=(11, 3.6))
    for recipe in recipes:
        seconds = [p["seconds"] for p in recipe.curve]
        label = (
            f"{recipe.name} recipe ({recipe.cfg.preset} preset{', tutorial settings' * (recipe.name == 'tutorial')})"
        )
        ax_c.plot(seconds, [p["confident_lenet"] for p in recipe.curve], marker="o", ms=3, lw=1.2, label=label)
        ax_f.plot(seconds, [p["fd_lenet"] for p in recipe.curve], marker="o", ms=3, lw=1.2, label=label)
    ax_c.axhline(reference["confident_lenet"], color="gray", ls=":", lw=1, label=f"{n:,} real images")
    ax_f.axhline(reference["fd_lenet"], color="gray", ls=":", lw=1, label=f"{n:,} real images")
    ax_c.set_ylim(0, 1)
    ax_c.set_title(f"confident_lenet ({n:,} samples; higher is better)")
    ax_f.set_yscale("log")
    ax_f.set_title(f"fd_lenet ({n:,} samples; lower is better)")
    for ax in (ax_c, ax_f):
        ax.set_xlabel("training seconds (evaluation excluded)")
        ax.legend(fontsize=8)
    fig.suptitle(f"MNIST 28×28: time to quality, {describe_hardware(recipes[0].device)}", fontsize=10, y=1.03)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=300.0, help="seconds of training per recipe (default 300)")
    p.add_argument("--points", type=int, default=10, help="evenly spaced evaluations over the budget (default 10)")
    p.add_argument("--n", type=int, default=2000, help="samples per evaluation (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="train.seed of both recipes")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds to measure the demo's steps/s (not counted)")
    p.add_argument("--tutorial-budget", type=float, help="train the tutorial recipe longer (default: --budget)")
    p.add_argument("--demo-steps", type=int, help="the demo's train.steps (its anneal); default: warm-up rate × budget")
    p.add_argument(
        "--demo-anneal",
        choices=("steps", "time"),
        default="steps",
        help="steps: the preset's anneal over train.steps (default); time: linear to 0 over the budget by the clock",
    )
    p.add_argument("--device", default="auto")
    p.add_argument("--set-demo", action="append", default=[], metavar="KEY=VALUE", help="override the demo recipe")
    p.add_argument("--set-tutorial", action="append", default=[], metavar="KEY=VALUE", help="override the tutorial")
    p.add_argument("--json", type=Path, metavar="PATH", help="write settings, curves and ratios as JSON")
    p.add_argument("--plot", type=Path, metavar="PATH", help="write a PNG of both curves")
    args = p.parse_args(argv)
    if args.budget <= 0 or args.points < 1 or args.n < 2:
        p.error("--budget must be > 0, --points >= 1 and --n >= 2")
    tutorial_budget = args.tutorial_budget if args.tutorial_budget is not None else args.budget
    if tutorial_budget < args.budget:
        p.error("--tutorial-budget must be at least --budget")
    if args.demo_anneal == "time" and args.demo_steps:
        p.error("--demo-steps sets the anneal of --demo-anneal steps; --demo-anneal time follows the clock")

    device = resolve_device(args.device)
    seed = [f"train.seed={args.seed}"]
    demo_cfg = resolve(DEMO[0], [*DEMO[1], *seed, *args.set_demo])
    tutorial_cfg = resolve(TUTORIAL[0], [*TUTORIAL[1], *seed, *args.set_tutorial])
    if demo_cfg.data != tutorial_cfg.data:
        p.error("the two recipes must train on the same data section")
    data = place(load_dataset(demo_cfg.data), device)
    say(f"data: {demo_cfg.data.name}, {len(data):,} images; warm-up {args.warmup:.0f} s per recipe")

    rates = {
        "demo": warmup_rate(demo_cfg, data, device, args.warmup),
        "tutorial": warmup_rate(tutorial_cfg, data, device, min(args.warmup, 3.0)),  # for the printout only
    }
    if args.demo_anneal == "time":
        anneal = ["train.lr_anneal_from=null", f"train.steps={NEVER}"]
        how = "demo lr: linear to 0 by the training clock, ending at the budget (--demo-anneal time)"
    else:
        planned = args.demo_steps or max(1, round(rates["demo"] * args.budget))
        anneal = [f"train.steps={planned}"]
        how = f"demo train.steps = {planned:,}" + (
            " (--demo-steps)" if args.demo_steps else " (warm-up rate × budget): its anneal ends near the budget"
        )
    demo_cfg = resolve(DEMO[0], [*DEMO[1], *seed, *args.set_demo, *anneal])
    by_clock = args.budget if args.demo_anneal == "time" else None
    demo = Recipe("demo", demo_cfg, data, device, anneal_seconds=by_clock)
    tutorial = Recipe("tutorial", tutorial_cfg, data, device)
    budgets = {"demo": args.budget, "tutorial": tutorial_budget}
    print_settings([demo, tutorial], rates, budgets)
    print(how)

    judge = Judge(device)
    real_images = data.images[torch.randperm(len(data), generator=torch.Generator().manual_seed(EVAL_SEED))[: args.n]]
    reference = judge(real_images.float().cpu() / 255)
    wall = time.perf_counter()
    for t in time_points(args.budget, args.points, tutorial_budget):
        for recipe in (demo, tutorial):
            if t > budgets[recipe.name] * (1 + 1e-9):
                continue
            if recipe.done and recipe.curve and recipe.curve[-1]["steps"] == recipe.state.step:
                continue  # the demo's anneal ended before this point: nothing new to measure
            recipe.train_until(t)
            q = recipe.evaluate(judge, args.n)
            say(
                f"[{time.perf_counter() - wall:6.0f} s wall] {recipe.name:<8} {q['seconds']:7.1f} s  "
                f"step {q['steps']:>6}  confident {q['confident_lenet']:.3f}  fd {q['fd_lenet']:.2f}"
            )

    for recipe in (demo, tutorial):
        print_curve(recipe, reference)
    if by_clock is None:
        lr_left = 1 - demo.state.step / demo_cfg.train.steps
        print(
            f"\ndemo: {demo.state.step:,} of {demo_cfg.train.steps:,} planned steps in {demo.seconds:.1f} s "
            f"(lr at {lr_left:.1%} of its start when it stopped)"
        )
    else:
        print(f"\ndemo: {demo.state.step:,} steps in {demo.seconds:.1f} s, lr annealed by the clock")
    rows = ratios(demo.curve, tutorial.curve)
    print_ratios(rows)
    last = rows[-1]
    print(
        f"\nsummary at the demo's last point (T = {last['seconds']:.0f} s, tutorial budget {tutorial_budget:.0f} s): "
        + "; ".join(f"{m} {_ratio_text(last[m])}" for m in METRICS)
    )
    print(f"{describe_hardware(device)}, {torch.get_num_threads()} threads; {args.n:,} samples per point")

    if args.json:
        blob = {
            "budget": args.budget,
            "tutorial_budget": tutorial_budget,
            "n": args.n,
            "demo_anneal": args.demo_anneal,
            "seed": args.seed,
            "device": describe_hardware(device),
            "threads": torch.get_num_threads(),
            "warmup_steps_per_s": rates,
            "real": reference,
            "recipes": {r.name: {"config": r.cfg.model_dump(mode="json"), "curve": r.curve} for r in (demo, tutorial)},
            "ratios": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(blob, indent=1) + "\n")
    if args.plot:
        plot([demo, tutorial], reference, args.n, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
