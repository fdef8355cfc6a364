"""The training loop: it only orchestrates — the step, previews, logs, checkpoints and the divergence watch live in
their own modules.

A full disk stops training with one line (the last checkpoint stays intact and resumable); a divergence rolls back
and continues with lower learning rates (training/divergence.py).
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from zerosum.atomic import is_disk_full
from zerosum.config import RunConfig
from zerosum.errors import CheckpointError
from zerosum.fewlabels.step import semi_supervised_step
from zerosum.losses import get_loss
from zerosum.training import checkpoint, divergence
from zerosum.training.evaluator import Evaluator
from zerosum.training.logbook import Logbook, read_jsonl, record_session
from zerosum.training.preview import write_preview
from zerosum.training.state import TrainState
from zerosum.training.step import train_step
from zerosum.translation.objective import make_objective
from zerosum.translation.step import translation_step


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    status: str  # "finished" or "interrupted"
    seconds: float
    checkpoint: Path | None
    signal: int | None = None
    rank: int = 0  # under torchrun, only rank 0's result names the checkpoint
    start_step: int = 0  # where this invocation began (0 for a new run, the checkpoint's step on resume)
    total_steps: int = 0  # train.steps: the run's budget

    @property
    def steps_run(self) -> int:
        """Steps this invocation trained."""
        return self.step - self.start_step


class _StopFlag:
    """Turns SIGINT/SIGTERM into a request to stop after the current step (and save), then restores handlers."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict[int, object] = {}

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: the user really wants out
        self.signum = signum

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


class Trainer:
    """Runs Algorithm 1 on `data` until `train.steps`, writing into `run_dir`."""

    def __init__(self, cfg: RunConfig, data, state: TrainState, run_dir: Path, device: torch.device) -> None:
        self.cfg = cfg
        self.data = data
        self.state = state
        self.run_dir = Path(run_dir)
        self.device = device
        self.loss = get_loss(cfg.train.loss)
        self.objective = make_objective(cfg, device) if cfg.model.translates else None
        self.value_range = state.G.output_range
        self.num_classes = cfg.data_info.num_classes if cfg.model.conditional else 0
        main = state.world.is_main
        self.evaluator = Evaluator(cfg, self.run_dir, device) if cfg.eval.every > 0 and main else None
        watch = cfg.train.divergence.check
        self.watchdog = divergence.Watchdog(cfg.train) if watch else None
        self.start = divergence.start_point(state, self.run_dir / "checkpoints") if watch else None

    def payload(self) -> dict:
        """What a checkpoint holds (step files and best.pt alike)."""
        return {**self.state.state_dict(), "config": self.cfg.model_dump(mode="json")}

    def save(self) -> Path:
        folder = self.run_dir / "checkpoints"
        return checkpoint.save(
            folder,
            self.state.step,
            self.payload(),
            keep=self.cfg.train.keep_checkpoints,
            keep_every=self.cfg.train.keep_every,
        )

    def fit(self) -> TrainResult:
        """Train to `train.steps`; on SIGINT/SIGTERM finish the current step, save, and return 'interrupted'.

        Under torchrun every rank steps in lockstep and only rank 0 logs, previews, evaluates and saves.
        """
        t, world = self.cfg.train, self.state.world
        main = world.is_main
        start = self.state.step
        book = Logbook(self.run_dir, start, t.steps, tensorboard=t.tensorboard, progress=t.progress) if main else None
        t0 = time.perf_counter()
        saved: Path | None = None
        try:
            if main:
                record_session(self.run_dir, start, self.cfg, self.device, world.size)
            with _StopFlag() as stop:
                while self.state.step < t.steps and not world.any(stop.signum is not None):
                    tic = time.perf_counter()
                    if not main:  # dropout masks: other ranks' own, reproducible stream (rank 0 keeps the global one)
                        torch.manual_seed(t.seed * 1_000_003 + self.state.step * 1009 + world.rank)
                    stats = self._step()
                    verdict = self.watchdog.observe(self.state, stats) if self.watchdog is not None else None
                    if verdict is not None:
                        saved = self._recover(verdict, book) or saved
                    elif main:
                        saved = self._bookkeeping(book, stats, tic) or saved
                if main and (saved is None or saved.name != checkpoint.checkpoint_name(self.state.step)):
                    saved = self.save()
            if main and self.state.step > start:
                write_summary_plots(self.run_dir, self.cfg)
                if t.report:
                    write_run_report(self.run_dir, book.message)
        except OSError as err:
            if not is_disk_full(err):
                raise
            raise CheckpointError(
                f"disk full while writing {err.filename or self.run_dir} at step {self.state.step}; the last "
                f"checkpoint is intact — free space on {self.run_dir} then `zerosum train --resume {self.run_dir}`"
            ) from None
        finally:
            if book is not None:
                book.close()
        world.barrier()  # nobody leaves before the final checkpoint is on disk
        return TrainResult(
            run_dir=self.run_dir,
            step=self.state.step,
            status="interrupted" if stop.signum is not None or self.state.step < t.steps else "finished",
            seconds=time.perf_counter() - t0,
            checkpoint=saved,
            signal=stop.signum,
            rank=world.rank,
            start_step=start,
            total_steps=t.steps,
        )

    def _step(self) -> dict[str, float]:
        t = self.cfg.train
        if self.objective is not None:
            return translation_step(self.state, self.data, self.objective, t, self.device, self.value_range)
        if self.cfg.model.arch == "ssgan":
            return semi_supervised_step(self.state, self.data, self.loss, self.cfg, self.device, self.value_range)
        aux = getattr(self.cfg.model, "aux_weight", 0.0)
        return train_step(self.state, self.data, self.loss, t, self.device, self.value_range, self.num_classes, aux)

    def _recover(self, verdict: divergence.Verdict, book: Logbook | None) -> Path | None:
        """Roll back to the last good state and lower the learning rates; past the limit, roll back and stop.

        The restored state is saved again at once (with its new lr_scale) and newer checkpoints are deleted, so
        `latest` never points into the diverged stretch and a crash from here on resumes with the lowered lr.
        """
        state, d, folder = self.state, self.cfg.train.divergence, self.run_dir / "checkpoints"
        detected = state.step
        restored = divergence.roll_back(state, folder, self.start, verdict.since, self.device)
        give_up = state.recoveries >= d.max_recoveries
        if not give_up:
            state.lr_scale *= d.lr_factor
            state.recoveries += 1
        self.watchdog.reset()
        state.world.barrier()  # every rank has loaded the checkpoint before rank 0 rewrites the folder
        saved = None
        if state.world.is_main:
            checkpoint.forget_after(folder, restored)
            saved = self.save()
            book.rewind(restored)
            fields = {"kind": verdict.kind, "reason": verdict.reason, "detected_at": detected, "since": verdict.since}
            fields.update(lr_scale=state.lr_scale, recovery=state.recoveries, stopped=give_up)
            book.event(restored, "divergence", **fields)
            if not give_up:
                book.message(divergence.recovered_line(verdict, detected, restored, state, self.cfg.train))
        state.world.barrier()
        if give_up:
            raise divergence.DivergenceError(
                divergence.give_up_message(verdict, detected, restored, state, self.run_dir, self.objective is None)
            )
        return saved

    def _bookkeeping(self, book: Logbook, stats: dict, tic: float) -> Path | None:
        """Rank 0's duties after a step: logs, evaluation, previews and checkpoints when due."""
        t, step = self.cfg.train, self.state.step
        stats["img_per_s"] = t.batch_size / max(time.perf_counter() - tic, 1e-9)
        stats["epoch"] = self.state.sampler.batches * t.batch_size / len(self.data)
        evaluated = self.evaluator is not None and self.evaluator.due(step, t.steps)
        if evaluated:
            stats.update(self.evaluator(self.state, self.payload, book.message))
        if step % t.log_every == 0 or step == t.steps or evaluated:
            book.log(step, stats)
        book.progress(step, stats)
        if step % t.sample_every == 0 or step == t.steps:
            population = self.cfg.model.bn_stats == "population"
            write_preview(self.state, self.data, self.run_dir, book, self.device, population)
        if step % t.ckpt_every == 0 or step == t.steps:
            return self.save()
        return None


def write_summary_plots(run_dir: Path, cfg: RunConfig) -> None:
    from zerosum.plots import plot_losses

    rows = [r for r in read_jsonl(run_dir / "metrics.jsonl") if "event" not in r]  # events carry no losses
    plot_losses(rows, run_dir / "loss.png", title=cfg.preset or "")


def write_run_report(run_dir: Path, say) -> None:
    """`train.report`: RUN/report.html at the end of training. A report that cannot be written costs a warning,
    never the run: the checkpoint is already on disk."""
    from zerosum.report import write_report

    try:
        write_report(run_dir)
    except Exception as err:  # noqa: BLE001 - the training is done and saved; the report is a convenience
        say(f"zerosum: warning: the report was not written ({type(err).__name__}: {err}); "
            f"write it with `zerosum report {run_dir}`")  # fmt: skip
