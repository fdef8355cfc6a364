import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import TINY_DCGAN
from zerosum.cli import main


def _sets(overrides):
    return [arg for o in overrides for arg in ("--set", o)]


def run_cli(*args, timeout=120):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "zerosum", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_train_then_sample(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "dcgan-mnist", "--out", str(out), *_sets([*TINY_DCGAN, "train.steps=2"])]) == 0
    assert "finished 2 steps" in capsys.readouterr().out
    grid = tmp_path / "grid.png"
    npz = tmp_path / "s.npz"
    assert main(["sample", str(out), "--n", "16", "--seed", "3", "--out", str(grid), "--npz", str(npz)]) == 0
    assert grid.stat().st_size > 100
    import numpy as np

    saved = np.load(tmp_path / "s.npz")
    assert saved["images"].shape == (16, 1, 16, 16) and saved["images"].dtype == np.uint8
    assert saved["z"].shape == (16, 8)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["train", "--preset", "nope"], "unknown preset"),
        (["train", "--preset", "demo", "--set", "train.bogus=1"], "unknown key"),
        (["train", "--preset", "demo", "--set", "train.steps=-3"], "train.steps"),
        (["sample", "."], "not a zerosum run directory"),
        (["train"], "--preset"),
    ],
)
def test_user_errors_are_one_line_with_exit_2(args, fragment):
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in proc.stderr


def test_presets_and_data_listings(capsys):
    assert main(["presets"]) == 0
    listing = capsys.readouterr().out
    assert "gan-mnist" in listing and "dcgan-cifar10" in listing
    assert main(["data"]) == 0
    assert "mnist" in capsys.readouterr().out


def test_sigterm_saves_a_checkpoint_and_resume_continues(tmp_path):
    out = tmp_path / "run"
    sets = _sets([*TINY_DCGAN, "train.steps=100000", "train.ckpt_every=100000"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "zerosum", "train", "--preset", "dcgan-mnist", "--out", str(out), *sets],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    deadline = time.time() + 60
    while time.time() < deadline and not (out / "metrics.jsonl").is_file():
        time.sleep(0.2)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "checkpoint saved" in stdout
    from zerosum import load_run

    stopped_at = load_run(out).step
    assert stopped_at > 0
    done = run_cli("train", "--resume", str(out), "--set", f"train.steps={stopped_at + 2}")
    assert done.returncode == 0, done.stderr
    assert load_run(out).step == stopped_at + 2
