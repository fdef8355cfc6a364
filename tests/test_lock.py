"""One trainer per run directory: a second `zerosum train` of the same folder is refused while the first runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import zerosum
from tests.conftest import TINY_DCGAN
from zerosum.lock import LOCK_NAME, RunLockedError, run_lock

ROOT = Path(__file__).resolve().parents[1]


def test_a_held_lock_refuses_a_second_holder_naming_the_pid(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from zerosum.lock import run_lock\n"
         "with run_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)", str(tmp_path / "r")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(RunLockedError, match=rf"being trained by process {holder.pid} since") as err,
            run_lock(tmp_path / "r"),
        ):
            pass
        assert "\n" not in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    with run_lock(tmp_path / "r"):  # the kernel let go of the dead holder's lock: taken over
        assert (tmp_path / "r" / LOCK_NAME).read_text().split()[0] == str(os.getpid())
    assert not (tmp_path / "r" / LOCK_NAME).exists()  # released and removed


def test_a_stale_lock_file_of_a_dead_process_is_taken_over(tmp_path, caplog):
    run = tmp_path / "r"
    run.mkdir()
    (run / LOCK_NAME).write_text("999999 somehost 2026-01-01T00:00:00\n")  # no process holds its flock
    with caplog.at_level("INFO", logger="zerosum"), run_lock(run):
        assert (run / LOCK_NAME).read_text().split()[0] == str(os.getpid())
    assert "took over the lock of process 999999" in caplog.text


def test_overwrite_keeps_the_lock_of_the_process_that_overwrites(tmp_path):
    common = [*TINY_DCGAN, "train.steps=2", "train.ckpt_every=2"]
    zerosum.train("dcgan-mnist", overrides=common, out=tmp_path / "r")
    (tmp_path / "r" / "mine.txt").write_text("x")
    zerosum.train("dcgan-mnist", overrides=common, out=tmp_path / "r", overwrite=True)
    assert not (tmp_path / "r" / "mine.txt").exists()
    assert (tmp_path / "r" / "config.yaml").is_file() and not (tmp_path / "r" / LOCK_NAME).exists()


def _train_cmd(out: Path, *extra: str) -> list[str]:
    sets = [
        a
        for o in [*TINY_DCGAN, "train.steps=60", "train.ckpt_every=20", "train.tensorboard=true"]
        for a in ("--set", o)
    ]
    return [sys.executable, "-m", "zerosum", "train", "--preset", "dcgan-mnist", *sets, *extra, "--out", str(out)]


@pytest.mark.parametrize("how", ["train", "resume"])
def test_two_trainers_started_together_one_is_refused(tmp_path, how):
    """Both pass the early checks; the lock decides. The log of the winner is one uninterrupted run's."""
    run = tmp_path / "r"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if how == "resume":
        subprocess.run(_train_cmd(run, "--set", "train.steps=2"), check=True, env=env, capture_output=True)
        cmd = [sys.executable, "-m", "zerosum", "train", "--resume", str(run), "--set", "train.steps=60"]
    else:
        cmd = _train_cmd(run)
    first = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    second = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], outs
    loser = outs[[first.returncode, second.returncode].index(2)][1]
    errors = [line for line in loser.splitlines() if line.startswith("zerosum: error:")]
    assert len(errors) == 1 and ("being trained by process" in errors[0] or "already holds files" in errors[0])
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 61))  # not interleaved
    assert len(list((run / "tb").iterdir())) == (1 if how == "train" else 2)  # one stream per invocation


def test_aside_keeps_the_previous_run_with_what_was_added_to_it(tmp_path, caplog):
    common = [*TINY_DCGAN, "train.steps=2", "train.ckpt_every=2"]
    run = tmp_path / "demo"
    zerosum.train("dcgan-mnist", overrides=common, out=run)
    (run / "explore").mkdir()
    (run / "explore" / "mine.png").write_bytes(b"x")
    with caplog.at_level("INFO", logger="zerosum"):
        zerosum.train("dcgan-mnist", overrides=common, out=run, aside=True)
        zerosum.train("dcgan-mnist", overrides=common, out=run, aside=True)
    assert (tmp_path / "demo.1" / "explore" / "mine.png").read_bytes() == b"x"
    assert (tmp_path / "demo.2" / "config.yaml").is_file() and (run / "config.yaml").is_file()
    assert not (run / "explore").exists()
    assert f"moved the previous run at {run} aside to {tmp_path / 'demo.2'}" in caplog.text
    with pytest.raises(zerosum.ConfigError, match="choose one"):
        zerosum.train("dcgan-mnist", overrides=common, out=run, aside=True, overwrite=True)


def test_make_demo_keeps_a_previous_demo_and_make_clean_keeps_runs():
    def dry(target: str) -> str:
        return subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    demo = dry("demo")
    assert "--aside" in demo and "--overwrite" not in demo
    assert "runs" not in dry("clean")
