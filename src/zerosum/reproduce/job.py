"""What an experiment gets to work with: its budget's parameters, a folder for its runs, and resumable training.

`Job.train` makes a reproduction restartable: a run an interrupted invocation left behind is resumed (resume is
exact), a finished one with the same configuration is reused, and one whose configuration changed is trained
again. `Job.evaluate` likewise reuses an `eval/<metric>.json` already computed on the same checkpoint.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zerosum import api
from zerosum.config import RunConfig
from zerosum.evaluation import eval_path
from zerosum.evaluation import evaluate as evaluate_run
from zerosum.reproduce.registry import Experiment, Figure
from zerosum.run import is_run_dir, read_config
from zerosum.training import checkpoint

log = logging.getLogger("zerosum")

# Keys that say how a run is watched, not what it learns: a change in them does not make a finished run stale.
_BOOKKEEPING = {
    "amp", "channels_last", "compile", "device", "threads", "log_every", "sample_every", "ckpt_every",
    "keep_checkpoints", "keep_every", "grid_size", "progress", "tensorboard", "steps",
}  # fmt: skip


@dataclass
class Job:
    experiment: Experiment
    budget: str
    params: dict[str, Any]
    out: Path  # this experiment's runs and figures
    data_root: str | None = None
    fresh: bool = False  # retrain even when a matching run exists
    quiet: bool = False  # no progress bars or TensorBoard files (tests)
    reused: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # run name → wall time of the training done here
    figures: list[Figure] = field(default_factory=list)

    def figure(self, name: str, caption: str) -> Path:
        """A path to draw a figure at; it will be copied beside the experiment's page with this caption."""
        path = self.out / "figures" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.figures.append(Figure(path, caption))
        return path

    @property
    def _quiet(self) -> list[str]:
        return ["train.progress=false", "train.tensorboard=false"] if self.quiet else []

    def config(self, preset: str, overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
        return api.make_config(preset, [*overrides, *self._quiet], self.data_root)

    def train(self, preset: str, overrides: list[str] | tuple[str, ...] = (), name: str | None = None) -> Path:
        """Train `preset` with `overrides` into out/NAME, resuming or reusing what an earlier invocation left."""
        cfg = self.config(preset, overrides)
        run_dir = self.out / (name or preset)
        sibling = None if self.fresh else self._sibling_run(run_dir.name, cfg)
        if sibling is not None:
            log.info("%s: reusing %s (finished by another experiment)", self.experiment.name, sibling)
            self.reused.append(run_dir.name)
            return sibling
        if not self.fresh and is_run_dir(run_dir) and _same_experiment(read_config(run_dir), cfg):
            done = _latest_step(run_dir)
            if done >= cfg.train.steps:
                log.info("%s: reusing %s (finished, step %d)", self.experiment.name, run_dir, done)
                self.reused.append(run_dir.name)
                return run_dir
            if done > 0:
                log.info("%s: resuming %s from step %d", self.experiment.name, run_dir, done)
                tic = time.perf_counter()
                result = api.resume(run_dir, overrides=[f"train.steps={cfg.train.steps}", *self._quiet])
                self.seconds[run_dir.name] = time.perf_counter() - tic
                return _finished(result)
        log.info("%s: training %s (%d steps)", self.experiment.name, run_dir, cfg.train.steps)
        tic = time.perf_counter()
        result = api.train(config=cfg, out=run_dir, overwrite=True)
        self.seconds[run_dir.name] = time.perf_counter() - tic
        return _finished(result)

    def train_many(self, preset: str, runs: list[tuple[list[str], str]], workers: int = 1) -> list[Path]:
        """`train(preset, overrides, name)` for each (overrides, name), `workers` at a time in separate processes.

        Small models (the 2-D toys) keep one core busy at most: two one-thread processes on two cores train two
        seeds in the time of one. Each run is the same as when trained alone (threads are bookkeeping, and every
        run draws from its own seeded generators), and resume and reuse work per run as in `train`.
        """
        return self.train_all([(preset, overrides, name) for overrides, name in runs], workers)

    def train_all(self, runs: list[tuple[str, list[str], str]], workers: int = 1) -> list[Path]:
        """`train_many` for runs of different presets: (preset, overrides, name) each."""
        if workers <= 1 or len(runs) <= 1:
            return [self.train(preset, overrides, name) for preset, overrides, name in runs]
        threads = max(1, (os.cpu_count() or 1) // workers)
        worker = replace(self, reused=[], seconds={}, figures=[])
        tasks = [(worker, preset, [*overrides, f"train.threads={threads}"], name) for preset, overrides, name in runs]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(_train_in_worker, tasks))
        for _, reused, seconds in done:
            self.reused.extend(reused)
            self.seconds.update(seconds)
        return [path for path, _, _ in done]

    def _sibling_run(self, name: str, cfg: RunConfig) -> Path | None:
        """A finished run of the same config that another experiment of this budget trained (out/../*/NAME).

        Experiments that only *use* a model (D features, completion) thereby share the runs of the experiments
        that train it, instead of spending another 20 minutes on an identical one.
        """
        if is_run_dir(self.out / name):
            return None  # our own run, finished or not, takes precedence
        for other in sorted(self.out.parent.glob(f"*/{name}")):
            if (
                is_run_dir(other)
                and _same_experiment(read_config(other), cfg)
                and _latest_step(other) >= cfg.train.steps
            ):
                return other
        return None

    def evaluate(self, run_dir: Path, metrics: list[str], checkpoint_name: str = "latest") -> dict[str, dict]:
        """Records of each metric on a checkpoint, reusing a record computed on that same checkpoint."""
        wanted = checkpoint.resolve(run_dir, checkpoint_name)
        records: dict[str, dict] = {}
        todo = []
        for name in metrics:
            old = _read_json(eval_path(run_dir, name))
            origin = old.get("checkpoint") if old else None  # None: in-memory weights, scored during training
            if origin and not self.fresh and (run_dir / origin).resolve() == wanted.resolve():
                records[name] = old
            else:
                todo.append(name)
        if todo:
            tic = time.perf_counter()
            records.update(evaluate_run(run_dir, todo, checkpoint=wanted))
            log.info("%s: %s in %.0f s", self.experiment.name, ",".join(todo), time.perf_counter() - tic)
        return {name: records[name] for name in metrics}


def _same_experiment(saved: RunConfig, wanted: RunConfig) -> bool:
    a, b = saved.model_dump(mode="json"), wanted.model_dump(mode="json")
    for section in (a, b):
        section.pop("data_info", None)
        section.pop("preset", None)
        for key in _BOOKKEEPING:
            section["train"].pop(key, None)
    return a == b


def _latest_step(run_dir: Path) -> int:
    pointer = _read_json(run_dir / "checkpoints" / checkpoint.LATEST)
    if pointer and isinstance(pointer.get("step"), int):
        return pointer["step"]
    files = checkpoint.step_files(run_dir / "checkpoints")
    return checkpoint.file_step(files[-1]) if files else 0


def _train_in_worker(task: tuple[Job, str, list[str], str]) -> tuple[Path, list[str], dict[str, float]]:
    """One run of `Job.train_many` in a worker process: its path, what it reused and how long it trained."""
    job, preset, overrides, name = task
    _stop_with_parent()
    if not log.handlers:  # a spawned process starts without the CLI's handler: its lines go to stderr as well
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("zerosum: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return job.train(preset, overrides, name), job.reused, job.seconds


def _stop_with_parent(poll_s: float = 2.0) -> None:
    """SIGTERM this worker when the process that started it is gone (killed before it could shut its pool down):
    the trainer then saves and stops as on Ctrl-C, instead of training on, orphaned, into folders nobody reads."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="zerosum-parent-watch", daemon=True).start()


def _finished(result: api.TrainResult) -> Path:
    if result.status != "finished":
        raise KeyboardInterrupt  # a signal stopped training; its checkpoint lets the next invocation resume
    return result.run_dir


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
