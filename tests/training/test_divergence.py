"""Divergence recovery: a NaN (in a loss or in the weights) or a collapsed D loss rolls training back to the last
good checkpoint with lower learning rates, is logged, and after `max_recoveries` stops with one clear line."""

import json
from types import SimpleNamespace

import pytest
import torch
from torch import nn

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.cli import main
from zerosum.config import TrainConfig
from zerosum.losses import GanLoss, get_loss
from zerosum.training import checkpoint, trainer
from zerosum.training.distributed import SINGLE
from zerosum.training.divergence import Watchdog, target_step

COMMON = [*TINY_DCGAN, "train.ckpt_every=2", "train.steps=8"]
LR = 2e-4  # the dcgan-mnist preset's lr_g and lr_d


def _break_d_loss(monkeypatch, calls: set[int] | None = None, start: int | None = None, value=float("nan")):
    """D's loss (and so its gradient) is multiplied by `value` at these 1-based calls (one call per step here), or
    at every call from `start` on: the way a real blow-up or a collapsed D shows in the numbers."""
    real = get_loss("nonsaturating")
    count = [0]

    def d(real_logits, fake_logits):
        count[0] += 1
        out = real.d(real_logits, fake_logits)
        hit = (calls is not None and count[0] in calls) or (start is not None and count[0] >= start)
        return out * value if hit else out

    monkeypatch.setattr(trainer, "get_loss", lambda name: GanLoss(name, d, real.g))


def _rows(run):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if "event" not in r], [r for r in rows if "event" in r]


def _finite(state) -> bool:
    return all(torch.isfinite(t).all() for key in ("G", "D", "G_ema") for t in (state[key] or {}).values())


def test_nan_loss_rolls_back_lowers_the_lr_and_finishes(tmp_path, monkeypatch, capsys):
    _break_d_loss(monkeypatch, calls={5})
    run = tmp_path / "r"
    result = zerosum.train("dcgan-mnist", overrides=COMMON, out=run)
    assert result.status == "finished" and result.step == 8
    state = checkpoint.load(checkpoint.resolve(run))
    assert _finite(state) and state["lr_scale"] == 0.5 and state["recoveries"] == 1
    steps, events = _rows(run)
    assert [r["step"] for r in steps] == list(range(1, 9))  # the log reads like one clean run
    # step 5's loss was measured on step 4's state: the rollback goes to the checkpoint before it
    assert events == [
        {
            "step": 2,
            "event": "divergence",
            "kind": "nan_loss",
            "reason": "loss_d is nan",
            "detected_at": 5,
            "since": 5,
            "lr_scale": 0.5,
            "recovery": 1,
            "stopped": False,
        }
    ]
    assert [r["lr_d"] for r in steps] == pytest.approx([LR] * 2 + [LR / 2] * 6)
    assert "step 5: training diverged (loss_d is nan); rolled back to step 2" in capsys.readouterr().err

    monkeypatch.undo()
    zerosum.resume(run, overrides=["train.steps=10"])  # the lowered lr and the event survive a resume
    steps, events = _rows(run)
    assert [r["lr_g"] for r in steps[-2:]] == pytest.approx([LR / 2] * 2) and len(events) == 1


def test_nan_weights_before_the_first_checkpoint_roll_back_to_the_start(tmp_path, monkeypatch):
    """A NaN only in the EMA copy changes no loss: the weight check before saving step 2 finds it, and with no
    checkpoint yet the run goes back to its initial state."""
    real_step = trainer.train_step
    done = []

    def step_then_poison(state, *args, **kwargs):
        stats = real_step(state, *args, **kwargs)
        if state.step == 1 and not done:
            done.append(True)
            with torch.no_grad():
                next(state.G_ema.parameters()).fill_(float("nan"))
        return stats

    monkeypatch.setattr(trainer, "train_step", step_then_poison)
    run = tmp_path / "r"
    zerosum.train("dcgan-mnist", overrides=[*COMMON, "train.steps=4"], out=run)
    _, events = _rows(run)
    assert [(e["kind"], e["detected_at"], e["step"]) for e in events] == [("nan_weights", 2, 0)]
    files = [p.name for p in checkpoint.step_files(run / "checkpoints")]
    assert files == ["step_00000000.pt", "step_00000002.pt", "step_00000004.pt"]
    assert all(_finite(checkpoint.load(run / "checkpoints" / name)) for name in files)  # no NaN was ever saved


def test_d_loss_collapse_for_patience_steps_rolls_back(tmp_path, monkeypatch):
    _break_d_loss(monkeypatch, calls={5, 6, 7}, value=0.0)
    over = [
        *COMMON,
        "train.divergence.patience=3",
        "train.divergence.d_loss_floor=1e-3",
        "train.divergence.lr_factor=0.1",
    ]
    run = tmp_path / "r"
    assert zerosum.train("dcgan-mnist", overrides=over, out=run).step == 8
    steps, events = _rows(run)
    assert [(e["kind"], e["since"], e["detected_at"], e["step"]) for e in events] == [("d_collapse", 5, 7, 2)]
    assert [r["step"] for r in steps] == list(range(1, 9)) and steps[-1]["lr_d"] == pytest.approx(LR / 10)


def test_too_many_recoveries_stop_with_one_line_and_a_good_checkpoint(tmp_path, monkeypatch, capsys):
    _break_d_loss(monkeypatch, start=5)  # NaN from the 5th step on, whatever the lr
    run = tmp_path / "r"
    sets = [a for o in [*COMMON, "train.divergence.max_recoveries=2"] for a in ("--set", o)]
    assert main(["train", "--preset", "dcgan-mnist", "--out", str(run), *sets]) == 2
    stderr = capsys.readouterr().err
    errors = [line for line in stderr.splitlines() if line.startswith("zerosum: error:")]
    assert "Traceback" not in stderr and len(errors) == 1
    assert "after 2 recoveries" in errors[0] and f"zerosum train --resume {run}" in errors[0]
    _, events = _rows(run)
    # step 5 → back to 2; step 3 (state 2 failed) → back to the start; step 1 → limit reached. Events are history:
    # the first one survives the later rewinds past its step.
    assert [(e["step"], e["detected_at"], e["recovery"], e["stopped"]) for e in events] == [
        (2, 5, 1, False),
        (0, 3, 2, False),
        (0, 1, 2, True),
    ]
    state = checkpoint.load(checkpoint.resolve(run))  # what `latest` names is the good state, not the NaN one
    assert state["step"] == 0 and _finite(state) and state["lr_scale"] == 0.25 and state["recoveries"] == 2


def test_check_off_lets_nan_through(tmp_path, monkeypatch):
    _break_d_loss(monkeypatch, calls={2})
    run = tmp_path / "r"
    zerosum.train("dcgan-mnist", overrides=[*COMMON, "train.steps=3", "train.divergence.check=false"], out=run)
    assert not _finite(checkpoint.load(checkpoint.resolve(run))) and not _rows(run)[1]


def _fake_state(step: int, nan: bool = False):
    G, D = nn.Linear(2, 2), nn.Linear(2, 1)
    if nan:
        with torch.no_grad():
            D.bias.fill_(float("inf"))
    return SimpleNamespace(G=G, D=D, G_ema=None, world=SINGLE, step=step)


def test_watchdog_counts_consecutive_collapsed_steps_only():
    cfg = TrainConfig(steps=1000, ckpt_every=1000, divergence={"patience": 3, "d_loss_floor": 1e-3})
    dog = Watchdog(cfg)
    seen = [dog.observe(_fake_state(s), {"loss_d": d, "loss_g": 1.0}) for s, d in enumerate([0, 0, 1, 0, 0, 0], 1)]
    assert seen[:5] == [None] * 5 and (seen[5].kind, seen[5].since) == ("d_collapse", 4)


def test_watchdog_ignores_r1_steps_in_the_streak():
    cfg = TrainConfig(steps=1000, ckpt_every=1000, r1_gamma=1.0, r1_every=2, divergence={"patience": 3})
    dog = Watchdog(cfg)
    # steps 1, 3, 5 carry the R1 penalty (a large loss_d) and neither break nor extend the streak
    losses = {1: 5.0, 2: 0.0, 3: 5.0, 4: 0.0, 5: 5.0, 6: 0.0}
    seen = [dog.observe(_fake_state(s), {"loss_d": d, "loss_g": 1.0}) for s, d in losses.items()]
    assert seen[:5] == [None] * 5 and seen[5].since == 2


def test_watchdog_sees_nan_losses_at_once_and_weights_when_due():
    dog = Watchdog(TrainConfig(steps=1000, ckpt_every=50, divergence={"weights_every": 10}))
    ok = {"loss_d": 1.0, "loss_g": 1.0}
    assert dog.observe(_fake_state(7), {"loss_d": 1.0, "loss_g": float("inf")}).kind == "nan_loss"
    assert dog.observe(_fake_state(7, nan=True), ok) is None  # not a check step: weights are not read
    assert dog.observe(_fake_state(20, nan=True), ok).kind == "nan_weights"
    assert dog.observe(_fake_state(50, nan=True), ok).kind == "nan_weights"  # a checkpoint step
    assert dog.observe(_fake_state(20), ok) is None


def test_healthy_numbers_never_trigger_the_defaults():
    dog = Watchdog(TrainConfig(steps=10_000))
    assert all(dog.observe(_fake_state(s), {"loss_d": 1e-3, "loss_g": 9.0}) is None for s in range(1, 2001))


def test_target_is_the_newest_checkpoint_older_than_the_first_bad_state():
    assert target_step([0, 2, 4, 6], since=7) == 4  # state 6 produced step 7's numbers
    assert target_step([0, 2, 4, 6], since=8) == 6
    assert target_step([2, 4], since=3) == 2  # nothing older survives: the oldest there is


def test_the_give_up_line_suggests_r1_only_where_the_family_takes_it(tmp_path):
    from zerosum.training.divergence import Verdict, give_up_message

    verdict, state = Verdict("d_collapse", "D's loss stayed low", 10), SimpleNamespace(recoveries=3)
    assert "train.r1_gamma" in give_up_message(verdict, 12, 8, state, tmp_path)
    line = give_up_message(verdict, 12, 8, state, tmp_path, r1=False)
    assert "train.r1_gamma" not in line and "max_recoveries" in line and "\n" not in line
