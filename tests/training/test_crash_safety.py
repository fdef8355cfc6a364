"""Training killed with SIGKILL at random moments (checkpoint writes included) loses at most one checkpoint
interval, never leaves an unreadable checkpoint, and resumes to exactly the weights of an uninterrupted run.
SIGTERM and Ctrl-C (SIGINT) save a checkpoint before exiting."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from tests.conftest import TINY_DCGAN
from zerosum.training import checkpoint

CKPT_EVERY = 3
SETS = [*TINY_DCGAN, "train.ckpt_every=3", "train.log_every=1", "train.threads=1"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _start(out: Path, steps: int, resume: bool) -> subprocess.Popen:
    where = ["--resume", str(out)] if resume else ["--preset", "dcgan-mnist", "--out", str(out)]
    sets = [a for s in [*(SETS if not resume else []), f"train.steps={steps}"] for a in ("--set", s)]
    cmd = [sys.executable, "-m", "zerosum", "train", *where, *sets]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def _checkpoint_step(out: Path) -> int:
    path = checkpoint.latest(out / "checkpoints")
    return -1 if path is None else checkpoint.file_step(path)


def _last_logged_step(out: Path) -> int:
    """The newest complete line of metrics.jsonl (a line cut by the kill does not count)."""
    steps = []
    for line in (out / "metrics.jsonl").read_text().splitlines() if (out / "metrics.jsonl").is_file() else []:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            steps.append(int(json.loads(line)["step"]))
    return max(steps, default=-1)


def _wait_for_progress(proc: subprocess.Popen, out: Path, after: int, timeout: float = 60.0) -> None:
    """Until the run has checkpointed past `after` (training is under way), or the process has ended."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None and _checkpoint_step(out) <= after:
        time.sleep(0.02)


def _final_weights(out: Path) -> dict:
    state = checkpoint.load(checkpoint.resolve(out))
    return {k: state[k] for k in ("G", "D")} | {"step": state["step"]}


def _kill_and_resume(tmp_path: Path, kills: int, steps: int, seed: int) -> None:
    rng = random.Random(seed)
    reference = _start(tmp_path / "straight", steps, resume=False)
    assert reference.wait(timeout=300) == 0, reference.stderr.read()

    out = tmp_path / "killed"
    killed = 0
    proc = _start(out, steps, resume=False)
    _wait_for_progress(proc, out, after=-1)  # the first kill lands once the run exists
    while killed < kills and proc.poll() is None:
        before = _checkpoint_step(out)
        if rng.random() < 0.25:  # now and then at any moment: while starting, loading or writing
            time.sleep(rng.uniform(0.0, 2.5))
        else:  # mostly in the training loop, where a checkpoint is written every CKPT_EVERY steps
            _wait_for_progress(proc, out, after=before)
            time.sleep(rng.uniform(0.0, 0.15))
        logged = _last_logged_step(out)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        killed += 1
        for path in checkpoint.step_files(out / "checkpoints"):  # every checkpoint on disk is readable
            checkpoint.load(path)
        saved = _checkpoint_step(out)
        assert saved >= 0, "the first checkpoint was lost"
        assert logged - saved <= CKPT_EVERY, f"kill {killed}: logged step {logged} but checkpoint {saved}"
        proc = _start(out, steps, resume=True)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert killed == kills, f"the run finished after {killed} kills; give it more steps"

    want, got = _final_weights(tmp_path / "straight"), _final_weights(out)
    assert got["step"] == want["step"] == steps
    for net in ("G", "D"):
        for name, tensor in want[net].items():
            assert torch.equal(tensor, got[net][name]), f"{net}.{name} differs from the uninterrupted run"


def test_three_sigkills_resume_to_the_uninterrupted_weights(tmp_path):
    _kill_and_resume(tmp_path, kills=3, steps=90, seed=0)


@pytest.mark.slow
def test_twenty_sigkills_resume_to_the_uninterrupted_weights(tmp_path):
    _kill_and_resume(tmp_path, kills=20, steps=600, seed=1)


def test_ctrl_c_saves_a_checkpoint_before_exiting(tmp_path):
    out = tmp_path / "run"
    proc = _start(out, 100_000, resume=False)
    _wait_for_progress(proc, out, after=CKPT_EVERY)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGINT, stderr
    assert "checkpoint saved" in stdout
    assert _checkpoint_step(out) >= _last_logged_step(out)  # nothing lost: the save is of the newest step
