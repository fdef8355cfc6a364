"""The whole D-features protocol as one call, shared by `zerosum features` and the `dcgan-features` experiment.

Per seed: draw a class-balanced labelled subset of the train split, extract D's pooled features for it, choose the
SVM's C on a held-out validation part, refit on the whole subset and measure accuracy on the entire test split;
then (optionally) train the supervised baseline on the very same subset, early-stopped on the very same validation
part. With all labels (`labels=None`) the subset is the whole train split, or a class-balanced `max_train` of it
where the SVM on every image would cost too much, and one seed is drawn, since a second would draw the same set.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from zerosum.data.labels import balanced_subset
from zerosum.errors import ConfigError
from zerosum.representation.features import GRID, check_run, extract, layer_shapes, load_split, value_range
from zerosum.representation.supervised import EPOCHS, predict, train_baseline
from zerosum.representation.svm import C_GRID, accuracy, choose_and_fit, validation_split
from zerosum.run import Run, load_run, require_gan
from zerosum.seedstats import summary

log = logging.getLogger("zerosum")

SVM = "D features + L2-SVM"
BASELINE = "supervised D (same labels)"


def plan(labels: int | None, max_train: int | None, pool: int, seeds: int, k: int = 1) -> tuple[int, int, bool]:
    """(images per labelled subset, seeds, whether the train split was capped) for a request over k classes.

    At least 2 labels per class are needed: one to fit on and one to choose C (and the baseline's epochs) on.
    """
    if seeds < 1:
        raise ConfigError(f"--seeds {seeds}: give at least 1")
    if labels is not None and labels < 0:
        raise ConfigError(f"--labels {labels}: give a positive count, or 'all'")
    if max_train is not None and max_train < 1:
        raise ConfigError(f"--max-train {max_train}: give a positive count")
    for flag, value in (("--labels", labels), ("--max-train", max_train)):
        if value and value < 2 * k:
            raise ConfigError(f"{flag} {value}: give at least {2 * k} (2 per class: one to fit, one to validate)")
    if labels and labels < pool:
        return labels, seeds, False
    if max_train and max_train < pool:
        return max_train, 1, True
    return pool, 1, False


def confusion(truth: np.ndarray, guess: np.ndarray, k: int) -> np.ndarray:
    """k×k counts, rows = true class, columns = predicted class."""
    out = np.zeros((k, k), dtype=np.int64)
    np.add.at(out, (truth, guess), 1)
    return out


def evaluate_features(
    run: Run | str | Path,
    dataset: str | None = None,
    *,
    labels: int | None = 1000,
    seeds: int = 5,
    baseline: bool = True,
    max_train: int | None = None,
    epochs: int = EPOCHS,
    grid: tuple[float, ...] = C_GRID,
    data_root: str | None = None,
) -> dict[str, Any]:
    """Run the protocol on `dataset` (default: the run's own) and return the JSON-able record.

    `labels=None` (or 0) uses the whole train split, capped to a class-balanced `max_train` when given.
    """
    run = require_gan(run if isinstance(run, Run) else load_run(run), "features")
    check_run(run)
    train, test = load_split(run, "train", dataset, data_root), load_split(run, "test", dataset, data_root)
    k, vr, pool = train.num_classes, value_range(run), train.labels.numpy()
    n, n_seeds, capped = plan(labels, max_train, len(train), seeds, k)
    tic = time.perf_counter()
    test_x, test_y = extract(run.D, test.images, vr).numpy(), test.labels.numpy()
    extract_s = time.perf_counter() - tic
    log.info("features: %d test images → %d features each in %.0f s", len(test_y), test_x.shape[1], extract_s)

    svm_rows: list[dict] = []
    base_rows: list[dict] = []
    matrix = None
    for seed in range(n_seeds):
        idx = balanced_subset(pool, n, seed, k) if n < len(train) else np.arange(len(train))
        y = pool[idx]
        tic = time.perf_counter()
        feats = extract(run.D, train.images[torch.as_tensor(idx)], vr).numpy()
        fit = choose_and_fit(feats, y, seed, grid)
        guess = fit.model.predict(test_x)
        acc = float((guess == test_y).mean())
        if matrix is None:
            matrix = confusion(test_y, guess, k)
        val = {f"{c:g}": a for c, a in fit.val_accuracy.items()}
        svm_rows.append({"seed": seed, "accuracy": acc, "C": fit.c, "val_accuracy": val,
                         "train_accuracy": accuracy(fit.model, feats, y), "unconverged_fits": fit.unconverged,
                         "seconds": time.perf_counter() - tic})  # fmt: skip
        log.info("features: seed %d, %d labels: SVM %.2f%% (C %g) in %.0f s", seed, n, 100 * acc, fit.c,
                 svm_rows[-1]["seconds"])  # fmt: skip
        if baseline:
            fit_pos, val_pos = validation_split(y, seed)  # the SVM's own split
            images, targets = train.images[torch.as_tensor(idx)], train.labels[torch.as_tensor(idx)]
            b = train_baseline(run.config.model, images, targets, fit_pos, val_pos, k, vr, seed, epochs)
            acc_b = float((predict(b.model, test.images, vr) == test_y).mean())
            base_rows.append({"seed": seed, "accuracy": acc_b, "epoch": b.epoch, "val_accuracy": b.val_accuracy,
                              "seconds": b.seconds})  # fmt: skip
            log.info("features: seed %d: supervised baseline %.2f%% (epoch %d) in %.0f s", seed, 100 * acc_b,
                     b.epoch, b.seconds)  # fmt: skip

    methods = {SVM: {**summary([r["accuracy"] for r in svm_rows]), "runs": svm_rows,
                     "seconds": extract_s + sum(r["seconds"] for r in svm_rows)}}  # fmt: skip
    if baseline:
        methods[BASELINE] = {**summary([r["accuracy"] for r in base_rows]), "runs": base_rows,
                             "seconds": sum(r["seconds"] for r in base_rows)}  # fmt: skip
    shapes = layer_shapes(run.D)
    return {
        "dataset": train.name,
        "classes": list(train.classes),
        "train_size": len(train),
        "test_size": len(test),
        "labels": n,
        "all_labels": n == len(train),
        "capped": capped,
        "seeds": n_seeds,
        "layers": [list(s) for s in shapes],
        "feature_dim": GRID * GRID * sum(c for c, _, _ in shapes),
        "c_grid": [float(c) for c in grid],
        "baseline_epochs": epochs if baseline else None,
        "extract_seconds": extract_s,
        "methods": methods,
        "confusion": matrix.tolist() if matrix is not None else None,
        "protocol": (
            f"each hidden D block max-pooled to {GRID}×{GRID}, concatenated, standardised; LinearSVC (squared hinge, "
            "L2) with C chosen on a class-balanced 20% of the labelled set (C ascending, stopped after 2 worse), "
            "refitted on all of it; test accuracy on the whole test split; mean ± sample std over seeds"
        ),
    }
