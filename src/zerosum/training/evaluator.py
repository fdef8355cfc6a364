"""Evaluation during training: the `eval` protocols every `eval.every` steps, and checkpoints/best.pt on improvement.

Evaluation must not change training. It samples through `zerosum.evaluation` with its own seeded generator, runs
the sampling G in eval mode (BatchNorm running statistics stay as they are) and puts every global RNG back
afterwards, whatever a protocol draws; so a run with evaluation on has the weights of the same run with it off,
and `--resume` stays exact. best.json carries the best value across a resume, so a worse model never replaces
best.pt.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from zerosum.atomic import atomic_write_bytes, atomic_write_text
from zerosum.config import RunConfig
from zerosum.errors import ConfigError, ZerosumError
from zerosum.evaluation import check_run_metrics, measure
from zerosum.metrics import get_metric, parse_metric_list
from zerosum.run import Run
from zerosum.training import checkpoint
from zerosum.training.state import TrainState

BEST = "best.pt"
BEST_JSON = "best.json"


def check_eval_config(cfg: RunConfig) -> None:
    """One-line ConfigErrors for an `eval` section that cannot work, raised before a run directory exists."""
    e = cfg.eval
    if e.every == 0:
        return  # off: a preset's metrics may not apply to data chosen with --set, and need not
    if not e.metrics:
        raise ConfigError(
            f"eval.every={e.every} but eval.metrics is empty; add e.g. --set eval.metrics=fd_lenet,confident_lenet "
            "(see `zerosum metrics`) or set eval.every=0"
        )
    try:
        check_run_metrics(e.metrics, cfg)
    except ConfigError as err:
        raise ConfigError(f"eval.metrics: {err}") from None
    if e.best is not None and e.best not in e.metrics:
        raise ConfigError(f"eval.best={e.best} is not among eval.metrics ({', '.join(e.metrics)}); add it or pick one")


def read_best(folder: Path, metric: str) -> float | None:
    """The best value of `metric` so far (best.json beside an existing best.pt), or None."""
    try:
        record = json.loads((folder / BEST_JSON).read_text())
    except (OSError, ValueError):
        return None
    if not (folder / BEST).is_file() or not isinstance(record, dict) or record.get("metric") != metric:
        return None  # a best.pt chosen by another metric is replaced at the first evaluation
    value = record.get("value")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def improves(value: Any, best: float | None, higher_is_better: bool) -> bool:
    """Strictly better than `best`; a missing or NaN value never is."""
    if not isinstance(value, (int, float)) or math.isnan(value):
        return False
    if best is None:
        return True
    return value > best if higher_is_better else value < best


def save_best(folder: Path, step: int, payload: dict[str, Any], metric: str, value: float) -> Path:
    """best.pt (a full checkpoint, atomically), then best.json — the record moves only after the weights."""
    path = folder / BEST
    try:
        atomic_write_bytes(path, lambda f: torch.save({"format": checkpoint.FORMAT, "step": step, **payload}, f))
        atomic_write_text(folder / BEST_JSON, json.dumps({"step": step, "metric": metric, "value": value}) + "\n")
    except OSError as err:
        raise checkpoint.write_failed(err, path) from None
    return path


@contextmanager
def untouched_rng() -> Iterator[None]:
    """Put the global torch (and CUDA), NumPy and Python RNGs back as they were, whatever the body draws."""
    torch_state, np_state, py_state = torch.get_rng_state(), np.random.get_state(), random.getstate()
    cuda_state = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        yield
    finally:
        torch.set_rng_state(torch_state)
        np.random.set_state(np_state)
        random.setstate(py_state)
        if cuda_state is not None:
            torch.cuda.set_rng_state_all(cuda_state)


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """Every submodule in eval mode for the body, then each back in its own previous mode."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for m, training in modes:
            m.training = training


class Evaluator:
    """Runs the `eval` section's protocols on the training state and keeps checkpoints/best.pt."""

    def __init__(self, cfg: RunConfig, run_dir: Path, device: torch.device) -> None:
        check_eval_config(cfg)
        self.cfg = cfg
        self.run_dir = Path(run_dir)
        self.device = device
        self.names = parse_metric_list(cfg.eval.metrics)  # validated by check_eval_config just above
        self.best_name = cfg.eval.best or self.names[0]
        self.higher_is_better = get_metric(self.best_name).higher_is_better
        self.folder = self.run_dir / "checkpoints"
        self.best = read_best(self.folder, self.best_name)
        self.enabled = True

    def due(self, step: int, last_step: int) -> bool:
        return self.enabled and (step % self.cfg.eval.every == 0 or step == last_step)

    def __call__(self, state: TrainState, payload: Callable[[], dict[str, Any]], say: Callable[[str], None]) -> dict:
        """Evaluate now; returns {"eval/<metric>": value} for the step's log line.

        A protocol that fails with a user error (e.g. its reference data is missing) turns evaluation off for the
        rest of the run instead of ending hours of training; `zerosum evaluate` can measure the checkpoints later.
        """
        run = Run(self.run_dir, self.cfg, state.sampling_G, state.D, None, state.step, None, self.device, state.D_ema)
        try:
            with untouched_rng(), eval_mode(run.G):
                records = measure(run, self.names, seed=self.cfg.eval.seed, checkpoint=None)
        except ZerosumError as err:
            self.enabled = False
            say(f"step {state.step}: evaluation failed, training continues without it: {err}")
            return {}
        value = records[self.best_name]["value"]
        better = improves(value, self.best, self.higher_is_better)
        if better:
            save_best(self.folder, state.step, payload(), self.best_name, value)
            self.best = value
        if self.cfg.train.progress:
            shown = ", ".join(
                f"{n} {r['value']:.4g}" if r["value"] is not None else f"{n} nan" for n, r in records.items()
            )
            say(f"step {state.step}  eval: {shown}" + ("  (new best)" if better else ""))
        return {f"eval/{n}": r["value"] for n, r in records.items() if isinstance(r["value"], (int, float))}
