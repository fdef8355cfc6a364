"""A disk that fills during training: the run stops with one line naming the folder and the fix (exit 2 from the
CLI), the previous checkpoint stays loadable, and resuming once there is space again ends exactly where an
uninterrupted run ends."""

import errno
import os

import pytest
import torch

import zerosum
from tests.conftest import TINY_DCGAN
from tests.training.test_checkpoint import FullDisk
from zerosum import atomic
from zerosum.cli import main
from zerosum.training import checkpoint, trainer
from zerosum.training.logbook import Logbook

COMMON = [*TINY_DCGAN, "train.ckpt_every=2", "train.steps=6"]


def _fill_disk_after(monkeypatch, step: int, free: int = 3_000) -> None:
    """From `step` on, zerosum.atomic writes to a disk with `free` bytes left (a checkpoint needs far more)."""
    real_step = trainer.train_step

    def step_then_fill(state, *args, **kwargs):
        stats = real_step(state, *args, **kwargs)
        if state.step == step:
            monkeypatch.setattr(atomic, "os", FullDisk(free))
        return stats

    monkeypatch.setattr(trainer, "train_step", step_then_fill)


def _assert_step_2_is_latest(run) -> None:
    folder = run / "checkpoints"
    assert checkpoint.latest(folder).name == "step_00000002.pt"
    assert checkpoint.load(checkpoint.latest(folder))["step"] == 2
    assert sorted(p.name for p in folder.iterdir()) == ["latest.json", "step_00000002.pt"]  # no temp files


def test_disk_full_at_a_checkpoint_stops_training_and_resume_is_exact(tmp_path, monkeypatch):
    zerosum.train("dcgan-mnist", overrides=COMMON, out=tmp_path / "straight")
    run = tmp_path / "full"
    _fill_disk_after(monkeypatch, 3)
    with pytest.raises(zerosum.CheckpointError) as info:
        zerosum.train("dcgan-mnist", overrides=COMMON, out=run)
    monkeypatch.undo()  # space is freed
    message = str(info.value)
    assert "step_00000004.pt" in message and "No space left on device" in message and "\n" not in message
    assert f"free space on {run / 'checkpoints'} then `zerosum train --resume {run}`" in message
    _assert_step_2_is_latest(run)

    assert zerosum.resume(run).step == 6
    a = checkpoint.load(checkpoint.resolve(tmp_path / "straight"))
    b = checkpoint.load(checkpoint.resolve(run))
    for key in ("G", "D", "G_ema"):
        for name, tensor in a[key].items():
            assert torch.equal(tensor, b[key][name]), f"{key}.{name} differs after the disk-full resume"


def test_disk_full_on_the_log_stops_training_clearly(tmp_path, monkeypatch):
    real_log = Logbook.log

    def log(self, step, stats):
        if step == 3:
            path = str(self.run_dir / "metrics.jsonl")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        real_log(self, step, stats)

    monkeypatch.setattr(Logbook, "log", log)
    run = tmp_path / "full"
    with pytest.raises(zerosum.CheckpointError, match="disk full while writing .*metrics.jsonl at step 3") as info:
        zerosum.train("dcgan-mnist", overrides=COMMON, out=run)
    assert f"free space on {run} then `zerosum train --resume {run}`" in str(info.value)
    _assert_step_2_is_latest(run)


def test_cli_exits_2_with_one_line_when_the_disk_fills(tmp_path, monkeypatch, capsys):
    run = tmp_path / "full"
    _fill_disk_after(monkeypatch, 1)
    args = ["train", "--preset", "dcgan-mnist", "--out", str(run)]
    assert main([*args, *(a for o in COMMON for a in ("--set", o))]) == 2
    stderr = capsys.readouterr().err
    errors = [line for line in stderr.splitlines() if line.startswith("zerosum: error:")]
    assert "Traceback" not in stderr
    assert len(errors) == 1 and errors[0].startswith("zerosum: error: could not write")  # one line, no traceback
    assert "free space on" in errors[0] and f"zerosum train --resume {run}" in errors[0]
    assert checkpoint.latest(run / "checkpoints") is None  # nothing was saved, nothing half-written is left
    assert not list((run / "checkpoints").iterdir())
