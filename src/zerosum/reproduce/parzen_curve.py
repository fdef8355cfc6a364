"""The Parzen score of `gan-mnist` over its training: every kept checkpoint scored by `parzen_mnist`.

The released code's monitor saw a validation log-likelihood each epoch, so "the epoch with the best validation
score" was open to its authors; the curve records both that score (train[50000:51000], which also picks σ) and
the test score, and the experiment's page reports the checkpoint that validation would have picked beside the
last one. Scores are cached in the experiment's folder by checkpoint step, so a rerun scores only new ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from zerosum.atomic import atomic_write_text
from zerosum.evaluation import evaluate
from zerosum.plots import pyplot, save_figure
from zerosum.training import checkpoint

METRIC = "parzen_mnist"


def validation_ll(record: dict) -> float:
    """The validation log-likelihood at the σ the protocol kept: the best of its σ scores."""
    scores = (record.get("details") or {}).get("sigma_scores") or {}
    values = [float(v) for v in scores.values() if v is not None]
    return max(values) if values else float("nan")


def parzen_curve(run_dir: Path, every: int, cache: Path, epoch_steps: int) -> list[dict]:
    """[{step, epoch, test, stderr, validation, sigma}] for each step file at a multiple of `every` and the last."""
    folder = Path(run_dir) / "checkpoints"
    files = checkpoint.step_files(folder)
    chosen = [f for f in files if checkpoint.file_step(f) % every == 0]
    if files and files[-1] not in chosen:
        chosen.append(files[-1])
    try:
        known = {int(k): v for k, v in json.loads(cache.read_text()).items()}
    except (OSError, ValueError):
        known = {}
    for path in chosen:  # oldest first: the last evaluation leaves eval/parzen_mnist.json on the newest
        step = checkpoint.file_step(path)
        if step in known:
            continue
        record = evaluate(run_dir, [METRIC], checkpoint=path)[METRIC]
        details = record.get("details") or {}
        known[step] = {
            "step": step,
            "epoch": step / epoch_steps,
            "test": float(record["value"]),
            "stderr": details.get("stderr"),
            "validation": validation_ll(record),
            "sigma": details.get("sigma"),
        }
        atomic_write_text(cache, json.dumps({str(k): v for k, v in sorted(known.items())}, indent=1) + "\n")
    return [known[s] for s in sorted(known) if s in {checkpoint.file_step(p) for p in chosen}]


def best_by_validation(curve: list[dict]) -> dict | None:
    return max(curve, key=lambda p: p["validation"]) if curve else None


def curve_figure(curve: list[dict], target: float, path: Path) -> None:
    """Test and validation log-likelihood against epochs, the paper's 225 dotted, validation's pick starred."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    epochs = [p["epoch"] for p in curve]
    ax.plot(epochs, [p["test"] for p in curve], marker="o", ms=3, color="tab:green", label="test (reported)")
    ax.plot(epochs, [p["validation"] for p in curve], marker="s", ms=3, color="tab:blue",
            label="validation train[50000:51000]")  # fmt: skip
    if (best := best_by_validation(curve)) is not None:
        ax.plot([best["epoch"]], [best["test"]], marker="*", ms=13, color="tab:red", label="validation's pick")
    ax.axhline(target, color="gray", ls=":", lw=1, label=f"paper {target:g}")
    ax.set_xlabel("epoch (500 updates of 100 images)")
    ax.set_ylabel("mean log-likelihood (nats)")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    save_figure(fig, path)
