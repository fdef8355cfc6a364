"""Where training numbers go: `metrics.jsonl` (one JSON object per logged step), TensorBoard, and a progress bar.

On resume the JSONL file is cut back to the checkpoint's step, so the log of a resumed run reads exactly like the
log of an uninterrupted one; a divergence rollback cuts it back the same way. Events (a rollback) are rows with an
"event" key and no losses.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

PROGRESS_KEYS = {
    "loss_d": "D", "loss_g": "G", "loss_pixel": "pixel", "d_real": "D(x)", "d_fake": "D(G(z))", "img_per_s": "img/s"
}  # fmt: skip


def truncate_jsonl(path: Path, last_step: int) -> None:
    """Drop lines logged after `last_step` (they will be logged again by the resumed run); events are history and
    stay."""
    if not path.is_file():
        return
    keep = []
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
            if row.get("step", 0) <= last_step or "event" in row:
                keep.append(line)
        except ValueError:
            continue  # a line cut short by a crash
    path.write_text("".join(f"{line}\n" for line in keep))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return rows


SESSIONS = "sessions.jsonl"


def record_session(run_dir: Path, step: int, cfg, device, world_size: int) -> None:
    """One line per training invocation in RUN/sessions.jsonl: where and how it ran (hardware, torch, threads, the
    fast paths resolved for this machine), so a report can say which machine trained which steps."""
    import platform
    from datetime import datetime, timezone

    import torch

    from zerosum.runtime import describe_hardware

    t = cfg.train
    row = {
        "step": step,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hardware": describe_hardware(device),
        "device": str(device),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "processes": world_size,
        "fast_paths": {"amp": t.amp, "channels_last": bool(t.channels_last), "reuse_fake": t.reuse_fake,
                       "compile": t.compile},
    }  # fmt: skip
    with open(Path(run_dir) / SESSIONS, "a") as f:
        f.write(json.dumps(row) + "\n")


class Logbook:
    """Fans each step's numbers out to JSONL, TensorBoard and the terminal."""

    def __init__(self, run_dir: Path, start_step: int, total_steps: int, tensorboard: bool, progress: bool) -> None:
        self.run_dir = run_dir
        self._tensorboard = tensorboard
        self._open(start_step)
        self._total = total_steps
        self._bar = None
        self._interactive = progress and sys.stderr.isatty()
        self._text_every = max(total_steps // 20, 1)
        self._t0 = time.perf_counter()
        self._start = start_step
        if self._interactive:
            from tqdm import tqdm

            self._bar = tqdm(total=total_steps, initial=start_step, unit="step", dynamic_ncols=True, smoothing=0.05)
        self._progress = progress

    def _open(self, start_step: int, purge: bool = False) -> None:
        """Cut the logs back to `start_step` and append from there (TensorBoard hides later events on a purge)."""
        truncate_jsonl(self.run_dir / "metrics.jsonl", start_step)
        self._jsonl = open(self.run_dir / "metrics.jsonl", "a", buffering=1)  # noqa: SIM115 - closed in close()
        self._tb = None
        if self._tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(
                str(self.run_dir / "tb"), purge_step=start_step + 1 if start_step or purge else None
            )

    def rewind(self, step: int) -> None:
        """Forget what was logged after `step` (training went back there), as a resume from it would."""
        self._close_files()
        self._open(step, purge=True)
        if self._bar is not None:
            self._bar.reset(total=self._total)
            self._bar.update(step)

    def event(self, step: int, name: str, **fields: object) -> None:
        """A row that is not a step's numbers (e.g. a divergence rollback), kept by later truncations at `step`."""
        self._jsonl.write(json.dumps({"step": step, "event": name, **fields}) + "\n")

    def log(self, step: int, stats: dict[str, float]) -> None:
        self._jsonl.write(json.dumps({"step": step, **{k: _round(v) for k, v in stats.items()}}) + "\n")
        if self._tb is not None:
            for key, value in stats.items():  # "eval/fd_lenet" keeps its own group; losses go under train/
                self._tb.add_scalar(key if "/" in key else f"train/{key}", value, step)

    def progress(self, step: int, stats: dict[str, float]) -> None:
        if self._bar is not None:
            self._bar.update(step - self._bar.n)
            self._bar.set_postfix({label: f"{stats[k]:.3g}" for k, label in PROGRESS_KEYS.items() if k in stats})
        elif self._progress and (step % self._text_every == 0 or step == self._total):
            elapsed = time.perf_counter() - self._t0
            rate = (step - self._start) / max(elapsed, 1e-9)
            eta = (self._total - step) / max(rate, 1e-9)
            shown = " ".join(f"{label} {stats[k]:.3g}" for k, label in PROGRESS_KEYS.items() if k in stats)
            print(f"step {step}/{self._total}  {shown}  eta {eta:.0f}s", file=sys.stderr, flush=True)

    def image(self, tag: str, grid_hwc: np.ndarray, step: int) -> None:
        if self._tb is not None:
            self._tb.add_image(tag, grid_hwc, step, dataformats="HWC")

    def message(self, text: str) -> None:
        if self._bar is not None:
            self._bar.write(text)
        else:
            print(text, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._close_files()

    def _close_files(self) -> None:
        if self._tb is not None:
            self._tb.flush()
            self._tb.close()
        self._jsonl.close()


def _round(value: float) -> float:
    return float(f"{value:.6g}")
