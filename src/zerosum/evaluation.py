"""Measuring a run: the protocols of `zerosum.metrics` on its generator's samples, recorded in RUN_DIR/eval/.

One `EvalContext` per evaluation, so samples (and the features or classifier outputs derived from them) are drawn
once and shared by every metric. Each result is written atomically to `eval/<metric>.json` as soon as it is
known, with everything that makes the number mean something later: the protocol, step, checkpoint, seed and
version. The same function serves `zerosum evaluate` and evaluation during training, so both give one number
for one set of weights.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from zerosum.atomic import atomic_write_text
from zerosum.errors import CheckpointError, ConfigError
from zerosum.metrics import EvalContext, Metric, get_metric, parse_metric_list
from zerosum.metrics.backends import resolve_backend
from zerosum.run import Run, as_run, is_run_dir, read_config
from zerosum.runtime import resolve_device
from zerosum.sampling import sample

EVAL_DIR = "eval"
COUNT_KEYS = ("n_fake", "n_samples", "n")  # where a protocol reports how many samples it drew


def check_metrics(
    names: str | list[str],
    dataset: str,
    shape: list[int] | None = None,
    task: str | None = None,
    conditional: bool | None = None,
) -> list[str]:
    """'a,b' or ['a', 'b'] → validated, de-duplicated names that all apply to `dataset`, to samples of `shape`
    (when known) and to the run's kind (`task`: data.pairs.task of an image-to-image run; `conditional`: whether
    G takes labels) — one-line ConfigError otherwise."""
    names = parse_metric_list(names)
    for name in names:
        get_metric(name, dataset, shape, task, conditional)
    return names


def check_run_metrics(names: str | list[str], cfg) -> list[str]:
    """`check_metrics` against everything a run's config says of its samples."""
    shape = cfg.data_info.shape if cfg.data_info else None
    return check_metrics(names, cfg.data.name, shape, run_task(cfg), cfg.model.conditional)


def run_task(cfg) -> str | None:
    """An image-to-image run's task (data.pairs.task), None for a GAN: what `check_metrics` matches against."""
    return cfg.data.pairs.task if cfg.data.pairs is not None else None


def eval_path(run_dir: str | os.PathLike, metric: str) -> Path:
    return Path(run_dir) / EVAL_DIR / f"{metric}.json"


def evaluate(
    run: Run | str | os.PathLike,
    metrics: str | list[str],
    checkpoint: str | os.PathLike | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    backend: str = "auto",
) -> dict[str, dict[str, Any]]:
    """Compute each named protocol on a checkpoint of a run; returns {metric: record} as written to eval/*.json.

    `run` is a loaded Run (measured as loaded) or the path of a run directory or export, loaded with `checkpoint`
    ('latest' when None) and `device` ('auto' when None). `backend` runs the feature networks (Inception, LeNet):
    "auto" is the fastest faithful one installed, see `metrics.backends`. Names, datasets, the backend and the
    checkpoint are all checked before anything is sampled or written.
    """
    resolve_backend(backend, "cpu" if device is None or str(device) == "auto" else device)
    if not isinstance(run, Run):
        run_dir = Path(run)
        checkpoint = "latest" if checkpoint is None else checkpoint
        if is_run_dir(run_dir):  # a run's config is checked before its weights are read
            cfg = read_config(run_dir)
            check_run_metrics(metrics, cfg)
            if str(checkpoint) == "best" and not (run_dir / "checkpoints" / "best.pt").is_file():
                raise CheckpointError(
                    f"{run_dir} has no checkpoints/best.pt: training writes it only when it evaluates "
                    "(--set eval.every=N --set eval.metrics=...); use --checkpoint latest"
                )
        run = as_run(run_dir, checkpoint, _device(device or "auto"))
    else:
        run = as_run(run, checkpoint, device)
    cfg = run.config
    names = check_run_metrics(metrics, cfg)
    resolve_backend(backend, run.device)
    return measure(run, names, seed=seed, checkpoint=_relative(run.checkpoint, run.path), backend=backend)


def measure(
    run: Run, names: list[str], seed: int = 0, checkpoint: str | None = None, backend: str = "auto"
) -> dict[str, dict[str, Any]]:
    """Compute validated protocols on `run.generator` (in eval mode) and write each record to eval/<name>.json.

    `checkpoint` is what the record names as the weights' origin: None for in-memory weights during training.
    """
    ctx = EvalContext(draw=unit_sampler(run), data=run.config.data, seed=seed, device=str(run.device), backend=backend)
    if run.config.model.conditional:
        ctx.num_classes = run.config.data_info.num_classes
        ctx.draw_labelled = labelled_sampler(run)
    if run.config.model.translates:
        from zerosum.translation.evaluate import translate_pairs

        ctx.translate = lambda limit: translate_pairs(run, limit=limit, seed=seed)
    records = {}
    for name in names:
        metric = get_metric(name)
        tic = time.perf_counter()
        result = metric.compute(ctx)
        seconds = time.perf_counter() - tic
        if not isinstance(result, dict) or "value" not in result:
            raise TypeError(f"metric {name} returned {type(result).__name__} without a 'value'")
        record = make_record(metric, result, run, checkpoint, seed, seconds)
        atomic_write_text(eval_path(run.path, name), json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        records[name] = record
    return records


def unit_sampler(run: Run) -> Callable[[int, int], Tensor]:
    """draw(n, seed) for an EvalContext: images mapped from G's output range to [0, 1] and clamped; points as are."""
    points = run.config.data_info is not None and run.config.data_info.kind == "points"

    def draw(n: int, seed: int) -> Tensor:
        samples = sample(run, n, seed=seed)  # batched, under inference mode, with its own seeded generator
        return _unit(samples, points)

    return draw


def labelled_sampler(run: Run) -> Callable[[Tensor, int], Tensor]:
    """draw_labelled(labels, seed) for an EvalContext: one sample in [0, 1] of each requested class."""

    def draw(labels: Tensor, seed: int) -> Tensor:
        return _unit(sample(run, len(labels), seed=seed, labels=labels.tolist()), points=False)

    return draw


def _unit(samples, points: bool) -> Tensor:
    if points or samples.value_range is None:
        return samples.images.clone()  # a normal tensor: protocols may use it outside inference mode
    lo, hi = samples.value_range
    return ((samples.images - lo) / (hi - lo)).clamp(0, 1)


def make_record(
    metric: Metric, result: dict[str, Any], run: Run, checkpoint: str | None, seed: int, seconds: float
) -> dict[str, Any]:
    """The JSON written to eval/<metric>.json (schema in docs/train.md)."""
    from zerosum import __version__

    return {
        "metric": metric.name,
        "value": _jsonable(result["value"]),
        "higher_is_better": metric.higher_is_better,
        "protocol": metric.description,
        "comparable": metric.comparable,
        "dataset": run.config.data.name,
        "step": run.step,
        "checkpoint": checkpoint,
        "seed": seed,
        "seconds": round(seconds, 3),
        "zerosum_version": __version__,
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "details": {str(k): _jsonable(v) for k, v in result.items() if k != "value"},
    }


def sample_count(record: dict[str, Any]) -> int | None:
    """How many samples the protocol drew, when it says so."""
    details = record.get("details") or {}
    for key in COUNT_KEYS:
        if isinstance(details.get(key), int):
            return details[key]
    return None


def _device(name: str | torch.device) -> torch.device:
    try:
        return resolve_device(str(name))
    except ConfigError:
        raise ConfigError(f"device {str(name)!r} is not available here; use --device auto or cpu") from None


def _relative(path: Path, run_dir: Path) -> str:
    try:
        return path.resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


def _jsonable(value: Any) -> Any:
    """Tensors, NumPy values and nested containers → plain JSON; NaN and ±inf → null (strict JSON has neither)."""
    if isinstance(value, Tensor):
        value = value.item() if value.dim() == 0 else value.tolist()
    elif isinstance(value, (np.ndarray, np.generic)):
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
