"""`zerosum augment`: what a conditional GAN's samples add to a classifier trained on few labels.

For each label budget and seed, a class-balanced labelled subset of the training split (`data/labels.py`: the subset
`data.labelled` and `zerosum features` draw for the same count and seed) trains the LeNet recipe of `recipe.py`
four ways, each tested once on the real test split:
- `labelled`: the labelled images alone;
- `shifts`: the same with classic augmentation (random shifts of up to 2 pixels);
- `cgan_subset`: labelled + samples of a conditional GAN that was trained on the same labelled subset only — the
  honest few-label setting, trained here (one run per budget and seed);
- `cgan_all`: labelled + samples of a conditional GAN trained on every label — the ceiling, a run given by the user.
The mix ratio (generated images per labelled image in each minibatch) is a parameter. Results are mean ± std over
seeds, written as `augment.json`, with a grid of each G's samples per class.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from zerosum import api
from zerosum.data.labels import balanced_subset
from zerosum.errors import ConfigError
from zerosum.fewlabels import METHODS
from zerosum.fewlabels.picture import class_sheet
from zerosum.fewlabels.recipe import STEPS, Pool, accuracy_on, train_few_label_classifier
from zerosum.metrics import classifier as clf
from zerosum.metrics.cas import to_uint8
from zerosum.metrics.catalogue import LENET_DATASETS, MNIST_SHAPE
from zerosum.run import Run, as_run, is_run_dir
from zerosum.sampling import sample
from zerosum.seedstats import summary

log = logging.getLogger("zerosum")

LABEL_BUDGETS = (100, 600, 1000, 6000)
CGAN_PRESET = "cgan-mnist"
POOL_PER_CLASS = 1000  # generated images per class in each G's pool

Trainer = Callable[[str, list[str], str], Path]  # (preset, overrides, run name) → a finished run directory


def check_dataset(dataset: str) -> None:
    if dataset not in LENET_DATASETS:
        raise ConfigError(f"zerosum augment trains the LeNet recipe: use --dataset {' or '.join(LENET_DATASETS)}")


def check_request(train_labels: Tensor, labels: Sequence[int], seeds: int, methods: Sequence[str], mix: float) -> None:
    """Everything `augment` is asked for, checked before any training (one-line ConfigErrors)."""
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise ConfigError(f"--methods {','.join(unknown) or '(none)'}: choose from {', '.join(METHODS)}")
    if seeds < 1:
        raise ConfigError(f"--seeds {seeds}: give at least 1")
    if mix <= 0:
        raise ConfigError(f"--mix {mix}: generated images per labelled image must be positive")
    if not labels:
        raise ConfigError("--labels: give at least one label budget, e.g. 100,1000")
    for n in labels:
        balanced_subset(train_labels.numpy(), n, 0, 10)  # raises on a budget the split cannot fill


def conditional_run(run: Run | str | os.PathLike, dataset: str, who: str) -> Run:
    """A loaded conditional run of `dataset`; a one-line ConfigError for anything else."""
    loaded = as_run(run)
    if not loaded.config.model.conditional:
        raise ConfigError(f"{who} {loaded.path} is unconditional; zerosum augment needs a conditional GAN's samples")
    if loaded.config.data.name != dataset:
        raise ConfigError(f"{who} {loaded.path} was trained on {loaded.config.data.name}, not {dataset}")
    if tuple(loaded.config.data_info.shape) != MNIST_SHAPE:
        raise ConfigError(f"{who} {loaded.path} draws {loaded.config.data_info.shape} images; the LeNet reads 1×28×28")
    return loaded


def sample_pool(run: Run, per_class: int = POOL_PER_CLASS, seed: int = 0) -> Pool:
    """`per_class` samples of each class, as 8-bit images with the labels they were drawn for."""
    k = run.config.data_info.num_classes
    labels = torch.arange(k).repeat_interleave(per_class)
    images = sample(run, len(labels), seed=seed, labels=labels.tolist())
    lo, hi = images.value_range
    return Pool(to_uint8(((images.images - lo) / (hi - lo)).clamp(0, 1)), labels)


def subset_run(dataset: str, n: int, seed: int, cgan_overrides: Sequence[str] = ()) -> tuple[list[str], str]:
    """(overrides, run name) of the cGAN that sees only the `n` labels drawn by `seed`."""
    over = [f"data.name={dataset}", f"data.labelled={n}", f"data.label_seed={seed}", *cgan_overrides]
    return over, f"cgan-{dataset}-{n}-seed{seed}"


def default_trainer(out: Path, data_root: str | None) -> Trainer:
    """Train into out/NAME, or reuse a finished run there."""

    def train(preset: str, overrides: list[str], name: str) -> Path:
        run_dir = out / name
        if is_run_dir(run_dir):
            return api.resume(run_dir).run_dir
        return api.train(preset, overrides=overrides, out=run_dir, data_root=data_root).run_dir

    return train


def augment(
    dataset: str = "mnist",
    labels: Sequence[int] = LABEL_BUDGETS,
    *,
    seeds: int = 3,
    methods: Sequence[str] = METHODS,
    mix: float = 1.0,
    cgan_all: Run | str | os.PathLike | None = None,
    cgan_preset: str = CGAN_PRESET,
    cgan_overrides: Sequence[str] = (),
    steps: int = STEPS,
    out: str | os.PathLike = "runs/augment",
    trainer: Trainer | None = None,
    data_root: str | None = None,
    subset_labels: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Run the experiment (see the module docstring) and return its JSON-able record. `subset_labels` limits the
    `cgan_subset` method (a cGAN trained per budget and seed) to those budgets; None: every budget."""
    check_dataset(dataset)
    images, targets = clf.load_split(dataset, "train")
    check_request(targets, labels, seeds, methods, mix)
    if "cgan_all" in methods and cgan_all is None:
        raise ConfigError("method cgan_all needs --cgan-all RUN: a conditional GAN trained on every label")
    ceiling = conditional_run(cgan_all, dataset, "--cgan-all") if "cgan_all" in methods else None
    out = Path(out)
    train = trainer or default_trainer(out, data_root)
    test = Pool(*clf.load_split(dataset, "test"))
    ceiling_pool = sample_pool(ceiling) if ceiling is not None else None
    sheets = {}
    if ceiling_pool is not None:
        sheets["cgan_all"] = str(class_sheet(ceiling_pool, out / "classes-cgan_all.png"))
    rows: list[dict[str, Any]] = []
    for n in labels:
        for seed in range(seeds):
            idx = torch.from_numpy(balanced_subset(targets.numpy(), n, seed, 10))
            labelled = Pool(images[idx], targets[idx])
            for method in methods:
                generated, run_dir = None, None
                if method == "cgan_subset" and subset_labels is not None and n not in subset_labels:
                    continue
                if method == "cgan_subset":
                    overrides, name = subset_run(dataset, n, seed, cgan_overrides)
                    run_dir = train(cgan_preset, overrides, name)
                    generated = sample_pool(conditional_run(run_dir, dataset, "the few-label cGAN"))
                    sheets[name] = str(class_sheet(generated, out / f"classes-{name}.png"))
                elif method == "cgan_all":
                    generated, run_dir = ceiling_pool, ceiling.path
                desc = f"{dataset} {n} labels seed {seed}: {method}"
                model = train_few_label_classifier(
                    labelled, generated=generated, mix=mix, shifts=method == "shifts", steps=steps, seed=seed,
                    desc=desc,
                )  # fmt: skip
                acc, per_class = accuracy_on(model, test)
                log.info("augment: %s: %.2f%%", desc, 100 * acc)
                rows.append({"labels": n, "seed": seed, "method": method, "accuracy": acc, "per_class": per_class,
                             "cgan": str(run_dir) if run_dir else None})  # fmt: skip
    table = {
        f"{n}/{m}": summary([r["accuracy"] for r in rows if r["labels"] == n and r["method"] == m])
        for n in labels
        for m in methods
        if any(r["labels"] == n and r["method"] == m for r in rows)
    }
    return {
        "dataset": dataset,
        "labels": list(labels),
        "seeds": seeds,
        "methods": list(methods),
        "mix": mix,
        "steps": steps,
        "table": table,
        "runs": rows,
        "cgan_all": str(ceiling.path) if ceiling is not None else None,
        "class_sheets": sheets,
    }


def table_rows(record: dict[str, Any]) -> list[list[str]]:
    """labels × method rows of mean ± std accuracy in percent, for pages and the CLI."""
    out = []
    for n in record["labels"]:
        cells = [f"{n:,}"]
        for m in record["methods"]:
            s = record["table"].get(f"{n}/{m}")
            cells.append(f"{100 * s['mean']:.2f} ± {100 * s['std']:.2f}" if s else "—")
        out.append(cells)
    return out
