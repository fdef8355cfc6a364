"""A toy GAN that trains in steps for a live page: the toy presets' models, the trainer's own update.

Settings come in two kinds: the objective's (loss, k, learning rates, the update order), which change the next
step and keep the models; and the problem's (data, packing, batch, seed), which change what is built, so the lab
starts again from step 0. Every change is validated as a config would be (`zerosum.make_config`), so the lab
refuses exactly what `zerosum train` refuses, with the same one-line message.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import torch

from zerosum.api import fresh_state, make_config
from zerosum.data import load_dataset
from zerosum.errors import ConfigError
from zerosum.losses import LOSSES, get_loss
from zerosum.training.distributed import SINGLE
from zerosum.training.step import train_step

LAB_DATA = {"toy-1d": "toy-1d", "ring-8": "ring-8", "grid-25": "grid-25"}  # the lab's problems → their presets
UPDATES = ("alternating", "simultaneous")
LIVE = ("loss", "k", "lr_d", "lr_g", "update", "steps_per_frame")  # changed without rebuilding the models
MAX_STEPS = 100  # updates per request (a frame, or one press of "step")


@dataclass(frozen=True)
class LabSettings:
    data: str = "ring-8"
    loss: str = "nonsaturating"
    k: int = 1  # D-steps per G-step (Algorithm 1's k)
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    update: str = "alternating"
    pack: int = 1  # PacGAN: D judges groups of this many points
    batch: int = 256
    seed: int = 0
    steps_per_frame: int = 5

    def check(self) -> LabSettings:
        bounds = {"k": (1, 10), "pack": (1, 8), "batch": (8, 2048), "seed": (0, 2**31 - 1),
                  "steps_per_frame": (1, MAX_STEPS)}  # fmt: skip
        if self.data not in LAB_DATA:
            raise ConfigError(f"data {self.data!r}: the lab trains {', '.join(LAB_DATA)}")
        if self.loss not in LOSSES:
            raise ConfigError(f"loss {self.loss!r}: choose one of {', '.join(LOSSES)}")
        if self.update not in UPDATES:
            raise ConfigError(f"update {self.update!r}: choose one of {', '.join(UPDATES)}")
        for name, (lo, hi) in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise ConfigError(f"{name} {value!r}: give a whole number from {lo} to {hi}")
        for name in ("lr_d", "lr_g"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1e-6 <= value <= 0.1:
                raise ConfigError(f"{name} {value!r}: give a learning rate from 1e-6 to 0.1")
        if self.update == "simultaneous" and self.k != 1:
            raise ConfigError(f"k {self.k}: the simultaneous update takes one D-step per G-step; set k to 1")
        if self.batch % self.pack:
            raise ConfigError(f"batch {self.batch} is not a multiple of pack {self.pack}: D sees whole groups")
        return self

    def overrides(self) -> list[str]:
        return [
            f"model.pack={self.pack}", f"train.batch_size={self.batch}", f"train.seed={self.seed}",
            f"train.loss={self.loss}", f"train.d_steps={self.k}", f"train.lr_d={self.lr_d}", f"train.lr_g={self.lr_g}",
            f"train.update={self.update}",
        ]  # fmt: skip

    def changed(self, **changes: Any) -> LabSettings:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown lab setting {', '.join(unknown)}; the settings are {', '.join(sorted(known))}")
        return replace(self, **changes).check()


class ToyLab:
    """One live training. Thread-safe: a page's controls may arrive while a frame is being trained."""

    def __init__(self, settings: LabSettings | None = None) -> None:
        self.lock = threading.RLock()  # held while training, rebuilding or drawing (views.py)
        self.settings = (settings or LabSettings()).check()
        self.last: dict[str, float] = {}
        self.version = 0  # which training a snapshot comes from: reset() counts them
        self.reset()

    def _config(self, s: LabSettings):
        cfg = make_config(LAB_DATA[s.data], s.overrides())
        cfg.train.steps = 10**9  # the lab has no end; schedules read it, so no decay is ever reached
        return cfg

    def reset(self) -> None:
        """Step 0 of the current settings: fresh models from the seed."""
        with self.lock:
            self.cfg = self._config(self.settings)
            self.data = load_dataset(self.cfg.data)
            self.state = fresh_state(self.cfg, self.data, torch.device("cpu"), SINGLE)
            self.loss = get_loss(self.cfg.train.loss)
            self.last = {}
            self.version += 1

    def configure(self, **changes: Any) -> bool:
        """Apply changed settings; returns True when the lab started again (a problem setting changed)."""
        with self.lock:
            new = self.settings.changed(**changes)
            cfg = self._config(new)  # validates the combination (e.g. simultaneous needs k = 1) before anything changes
            rebuild = any(
                getattr(new, f.name) != getattr(self.settings, f.name) for f in fields(new) if f.name not in LIVE
            )
            self.settings = new
            if rebuild:
                self.reset()
                return True
            self.cfg.train = cfg.train
            self.loss = get_loss(new.loss)
            return False

    def step(self, n: int | None = None) -> dict[str, float]:
        """Train n updates (default: the settings' steps per frame); returns the last step's numbers and the rate."""
        n = self.settings.steps_per_frame if n is None else n
        if not 1 <= n <= MAX_STEPS:
            raise ConfigError(f"steps {n}: train from 1 to {MAX_STEPS} updates at a time")
        with self.lock:
            t0 = time.perf_counter()
            threads = torch.get_num_threads()
            torch.set_num_threads(1)  # toy models: one thread is fastest, and leaves the other core to the server
            try:
                for _ in range(n):
                    stats = train_step(self.state, self.data, self.loss, self.cfg.train, torch.device("cpu"), None, 0)
            finally:
                torch.set_num_threads(threads)
            self.last = {**stats, "updates_per_s": n / max(time.perf_counter() - t0, 1e-9)}
            return self.last

    @property
    def steps(self) -> int:
        return self.state.step

    def describe(self) -> dict[str, Any]:
        return {"settings": asdict(self.settings), "step": self.state.step, "version": self.version}
