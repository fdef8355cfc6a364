"""`dcgan-mnist`, `dcgan-fashion`, `dcgan-cifar10`: FID on the test split against published NS-GAN/DCGAN numbers.

One helper serves the three: train the dataset's DCGAN preset under a named recipe, draw a sample grid, and
measure one headline metric (`fid10k_test`, the protocol the anchors use, or `fid2k_test` where a CPU cannot
afford 10,000 Inception passes) plus cheap extras. FID from 2,000 samples is biased upwards, so a `fid2k_test`
row never claims to meet a target set for 10k; the text says what its number implies. The real test split's
Inception features are computed once per dataset and cached, and a page says when its run paid for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zerosum.config import DataConfig, RunConfig
from zerosum.errors import ConfigError
from zerosum.images import save_grid
from zerosum.reproduce.catalogue import LUCIC
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run, read_config
from zerosum.sampling import sample

# The `demo` preset's recipe for short CPU runs (see presets/demo.yaml), applied on top of another preset.
RECIPES: dict[str, tuple[str, ...]] = {
    "preset": (),
    "demo": (
        "train.batch_size=64", "train.lr_g=0.002", "train.lr_d=0.002", "train.betas=[0.0, 0.99]",
        "train.lr_anneal_from=0.0", "train.r1_gamma=1.0", "train.r1_every=4", "train.reuse_fake=true",
        "train.ema=0.995",
    ),
}  # fmt: skip
FID_LABELS = {
    "fid10k_test": "FID, 10k samples vs the test split (`fid10k_test`)",
    "fid2k_test": "FID, 2k samples vs the test split (`fid2k_test`)",
}
NOT_COMPARABLE = "FID from 2k samples reads higher than from 10k: not comparable to the anchor"


def recipe(name: str) -> list[str]:
    if name not in RECIPES:
        raise ConfigError(f"--param recipe={name!r} is not a recipe; use one of: {', '.join(RECIPES)}")
    return list(RECIPES[name])


def train_overrides(p: dict[str, Any]) -> list[str]:
    """The `--set` overrides a budget's parameters (recipe, overrides, steps) train with; shared with experiments
    that reuse these runs (`dcgan-features`), so theirs match and `Job.train` finds the finished run."""
    return [*recipe(p["recipe"]), *p["overrides"], f"train.steps={p['steps']}"]


def describe(cfg: RunConfig) -> str:
    """The recipe as trained, read from the resolved config, so the page cannot disagree with the run."""
    t, m = cfg.train, cfg.model
    parts = [f"DCGAN ngf = {m.ngf}, ndf = {m.ndf}", f"batch {t.batch_size}", f"{t.loss} loss",
             f"Adam lr {t.lr_g:g} (G) / {t.lr_d:g} (D), β = ({t.betas[0]:g}, {t.betas[1]:g})"]  # fmt: skip
    if t.lr_anneal_from is not None:
        start = "over the whole run" if t.lr_anneal_from == 0 else f"from {t.lr_anneal_from:.0%} of the run"
        parts.append(f"lr annealed linearly to 0 {start}")
    if t.r1_gamma > 0:
        parts.append(f"R1 γ = {t.r1_gamma:g} every {t.r1_every} steps")
    if t.reuse_fake:
        parts.append("one G pass shared by the D- and G-step")
    parts.append(f"EMA of G {t.ema:g}" if t.ema > 0 else "no EMA (G sampled itself)")
    if m.pack > 1:
        parts.append(f"PacGAN packing {m.pack}")
    if m.d_minibatch_std:
        parts.append("minibatch-std feature in D")
    if not m.batch_norm:
        parts.append("no BatchNorm")
    return ", ".join(parts)


def fmt(value: Any) -> str:
    """A metric value for a table: integers with separators, floats to a sensible precision."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def train_timed(job: Job, preset: str, overrides: list[str], name: str | None = None) -> tuple[Path, float | None]:
    """Job.train plus its wall time in seconds (None when a finished run was reused)."""
    job.seconds.pop(name or preset, None)
    run_dir = job.train(preset, overrides, name=name)
    return run_dir, job.seconds.get(name or preset)


def minutes(seconds: float | None) -> str:
    return "reused from an earlier invocation" if seconds is None else f"{seconds / 60:.1f} min"


def sample_figure(job: Job, run_dir: Path, filename: str, caption: str, n: int = 64) -> None:
    """A grid of n samples (seed 0) of the run's sampling generator (its EMA copy when it has one)."""
    run = load_run(run_dir)
    s = sample(run, n, seed=0)
    save_grid(job.figure(filename, caption), s.images, nrow=8, value_range=s.value_range or (-1.0, 1.0))


def inception_cached(data: DataConfig, split: str = "test") -> bool:
    """Whether the real split's Inception features are already in the cache (else the next FID computes them)."""
    from zerosum.metrics.fid import EXTRACTOR
    from zerosum.metrics.reference import cache_path, fingerprint, real_images

    images = real_images(data, split)
    return cache_path(EXTRACTOR, data.name, split, fingerprint(images)).is_file()


def fid_experiment(job: Job, preset: str, anchor: str, target: float | None, note: str = "") -> Outcome:
    """Train `preset` with the budget's recipe, then one headline metric and the extras, as rows and text."""
    p = job.params
    headline, extras = str(p["metric"]), [str(m) for m in p["extras"] if m != p["metric"]]
    run_dir, train_s = train_timed(job, preset, train_overrides(p))
    cfg = read_config(run_dir)
    splits = {"train" if m.endswith("_train") else "test" for m in [headline, *extras] if m.startswith(("fid", "kid"))}
    first_features = [split for split in sorted(splits) if not inception_cached(cfg.data, split)]
    records = job.evaluate(run_dir, [headline, *extras])
    sample_figure(job, run_dir, "samples.png", f"64 samples of {preset} after {p['steps']:,} steps (seed 0)")

    value = records[headline]["value"]
    notes = [n for n in (note, NOT_COMPARABLE if headline == "fid2k_test" else "") if n]
    comparable = headline == "fid10k_test" and target is not None
    met = bool(value <= target) if comparable and value is not None else None
    target_text = f"≤ {target:g}" if comparable else f"— (≤ {target:g} is for `fid10k_test`)" if target else "—"
    rows = [Row(FID_LABELS.get(headline, f"`{headline}`"), fmt(value), anchor, target_text, met, "; ".join(notes))]
    rows += [Row(f"`{m}`", fmt(records[m]["value"]), note="zerosum's own yardstick, no published value")
             for m in extras]  # fmt: skip

    measured = ", ".join(f"`{m}` {fmt(r['value'])}" for m, r in records.items())
    eval_s = sum(float(r.get("seconds", 0.0)) for r in records.values())
    text = [
        f"`{preset}` trained for {p['steps']:,} steps with the `{p['recipe']}` recipe"
        f"{' and ' + ', '.join(f'`{o}`' for o in p['overrides']) if p['overrides'] else ''}: {describe(cfg)} "
        f"(training {minutes(train_s)}). Measured on the last checkpoint: "
        f"{measured} ({eval_s / 60:.1f} min of evaluation)."
    ]
    if first_features:
        text.append(
            f"This invocation computed the Inception features of the {cfg.data.name} {' and '.join(first_features)} "
            "split for the first time (~35 ms per image on two CPU cores with OpenVINO, about 6 min for 10,000), "
            "which are cached for later runs: the wall time above includes that one-off cost."
        )
    text.append(_reading(headline, value, anchor, target))
    return Outcome(rows, job.figures, " ".join(t for t in text if t))


def _reading(headline: str, value: float | None, anchor: str, target: float | None) -> str:
    """What the headline number shows, computed from it."""
    if value is None:
        return f"`{headline}` gave no value (a diverged generator?)."
    anchor_value = float(anchor.split()[0])
    if headline == "fid10k_test":
        rel = (value - anchor_value) / anchor_value
        verdict = "" if target is None else f"; the target ≤ {target:g} is {'met' if value <= target else 'missed'}"
        side = "below" if rel < 0 else "above"
        return f"FID {value:.2f} is {abs(rel):.0%} {side} the anchor's {anchor_value:g}{verdict}."
    if headline == "fid2k_test":
        lead = (
            f"FID from 2,000 samples is biased upwards against 10,000, so {value:.2f} is not set beside the anchor's "
            f"{anchor_value:g}; `--budget paper` measures `fid10k_test`."
        )
        if value <= anchor_value:
            lead += f" Even this upward-biased estimate is below {anchor_value:g}; the 10k FID is expected lower still."
        return lead
    return f"`{headline}` is not an FID protocol, so the anchor's {anchor_value:g} is shown for context only."


def dcgan_mnist(job: Job) -> Outcome:
    return fid_experiment(job, "dcgan-mnist", f"6.8 ({LUCIC})", 5.0)


def dcgan_fashion(job: Job) -> Outcome:
    return fid_experiment(job, "dcgan-fashion", f"26.5 ({LUCIC})", 20.0)


def dcgan_cifar10(job: Job) -> Outcome:
    target = 25.0 if job.budget == "paper" else None
    anchor = "37.7 (DCGAN, TTUR paper); 49.0 (StudioGAN DCGAN)"
    return fid_experiment(job, "dcgan-cifar10", anchor, target, note="JPEG re-encoded, indicative only")
