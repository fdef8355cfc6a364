"""Divergence: NaN/Inf in a loss or in the weights, or D's loss collapsed to ~0, and the way back from it.

Detection is cheap: a step's losses are already Python numbers, and the weights are checked every
`train.divergence.weights_every` steps and at every step that saves a checkpoint, so a scheduled checkpoint is
never written with NaN weights. Recovery reuses the resume path: the newest checkpoint older than the first state
that misbehaved is loaded into the TrainState (models, optimisers, EMA, data order, every RNG). The lowered
learning rate is `state.lr_scale`, saved in every checkpoint like the recovery count, so a later `--resume` keeps it
and the limit counts recoveries over the whole run. A run that diverges before its first checkpoint goes back to
its start, kept in memory (serialised, a few MB) for that only.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import torch

from zerosum.config import TrainConfig
from zerosum.errors import DivergenceError
from zerosum.training import checkpoint
from zerosum.training.state import TrainState

LOSS_KEYS = ("loss_d", "loss_g")


@dataclass(frozen=True)
class Verdict:
    kind: str  # "nan_loss", "nan_weights" or "d_collapse" (the JSONL event's `kind`)
    reason: str  # a phrase for the log line
    since: int  # the first logged step that showed it; its numbers were measured on the state of step since-1


@dataclass(frozen=True)
class Start:
    """The state a fresh run began with: the rollback target until the first checkpoint exists."""

    step: int
    blob: bytes


def weights_finite(state: TrainState) -> bool:
    """No NaN/Inf in G, D or the EMA copy, buffers (BatchNorm statistics) included; one device sync."""
    tensors = [
        t
        for model in (state.G, state.D, state.G_ema)
        if model is not None
        for t in model.state_dict().values()
        if t.is_floating_point()
    ]
    return bool(torch.stack([torch.isfinite(t).all() for t in tensors]).all())


class Watchdog:
    """Looks at every step's numbers; says when the run has diverged, and since which step."""

    def __init__(self, cfg: TrainConfig) -> None:
        self.cfg = cfg
        self._low = 0  # consecutive collapsed steps
        self._low_since = 0

    def reset(self) -> None:
        self._low = 0

    def observe(self, state: TrainState, stats: dict[str, float]) -> Verdict | None:
        """Every rank sees the same (all-reduced) losses and calls the weight check at the same steps, so all
        ranks reach the same verdict."""
        t, d, step = self.cfg, self.cfg.divergence, state.step
        bad = [k for k in LOSS_KEYS if not math.isfinite(stats.get(k, 0.0))]
        if bad:
            return Verdict("nan_loss", f"{bad[0]} is {stats[bad[0]]}", step)
        due = step % d.weights_every == 0 or step % t.ckpt_every == 0 or step == t.steps
        if due and state.world.any(not weights_finite(state)):
            return Verdict("nan_weights", "NaN/Inf in the weights", step)
        r1_step = t.r1_gamma > 0 and (step - 1) % t.r1_every == 0  # loss_d includes the R1 penalty: no evidence
        if d.patience == 0 or r1_step or "loss_d" not in stats:  # no D-step this step (a translator's pixel stage)
            return None
        if stats["loss_d"] >= d.d_loss_floor:
            self._low = 0
            return None
        if self._low == 0:
            self._low_since = step
        self._low += 1
        if self._low >= d.patience:
            reason = f"D's loss stayed below {d.d_loss_floor:g} for {self._low} steps"
            return Verdict("d_collapse", reason, self._low_since)
        return None


def start_point(state: TrainState, folder: Path) -> Start | None:
    """A copy of the initial state when the run has no checkpoint to roll back to yet."""
    if checkpoint.latest(folder) is not None:
        return None
    buf = io.BytesIO()
    torch.save({**state.state_dict(), "step": state.step}, buf)
    return Start(state.step, buf.getvalue())


def target_step(choices: list[int], since: int) -> int:
    """The newest of the sorted `choices` at or before step since-2, else the oldest (nothing older survives)."""
    older = [s for s in choices if s <= since - 2]
    return older[-1] if older else choices[0]


def roll_back(state: TrainState, folder: Path, start: Start | None, since: int, device: torch.device) -> int:
    """Load the newest checkpoint older than the first state that misbehaved (step since-1: rerunning from it
    would replay the same batch into the same NaN), else the oldest one there is; returns its step.

    `lr_scale` and `recoveries` keep their current values: the caller decides how they change.
    """
    files = {checkpoint.file_step(p): p for p in checkpoint.step_files(folder)}
    choices = sorted(set(files) | ({start.step} if start is not None else set()))
    if not choices:
        raise DivergenceError(
            f"training diverged at step {state.step} and {folder} holds no checkpoint to roll back to; "
            "lower train.lr_g/lr_d and start again"
        )
    target = target_step(choices, since)
    if target in files:
        payload = checkpoint.load(files[target], map_location=device)
    else:
        payload = torch.load(io.BytesIO(start.blob), map_location=device, weights_only=True)
    keep = state.lr_scale, state.recoveries
    state.load_state_dict(payload)
    state.lr_scale, state.recoveries = keep
    return target


def recovered_line(verdict: Verdict, detected: int, restored: int, state: TrainState, cfg: TrainConfig) -> str:
    d = cfg.divergence
    return (
        f"step {detected}: training diverged ({verdict.reason}); rolled back to step {restored} with learning rates "
        f"×{d.lr_factor:g} (now ×{state.lr_scale:g} of train.lr_g/lr_d), recovery {state.recoveries} of "
        f"{d.max_recoveries}"
    )


def give_up_message(
    verdict: Verdict, detected: int, restored: int, state: TrainState, run_dir: Path, r1: bool = True
) -> str:
    """The stop's one line; `r1` says whether the run's family takes the R1 penalty (translators do not)."""
    n = state.recoveries
    remedy = "add train.r1_gamma or allow" if r1 else "allow"
    return (
        f"training diverged at step {detected} ({verdict.reason}) after {n} recover{'y' if n == 1 else 'ies'}; "
        f"{run_dir} now holds the last good checkpoint (step {restored}) — lower train.lr_g/lr_d, {remedy} "
        f"more train.divergence.max_recoveries, then `zerosum train --resume {run_dir} --set ...`"
    )
