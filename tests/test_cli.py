import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import zerosum
from tests.conftest import TINY_DCGAN
from tests.fake_metrics import fake_metric, mean_pixel
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
    assert "finished: 2 steps in" in capsys.readouterr().out
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


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_eval") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZEROSUM_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
        zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=2"], out=out)
    return out


def test_evaluate_prints_a_table_and_where_the_records_went(tiny_run, tmp_path, capsys):
    run_dir = shutil.copytree(tiny_run, tmp_path / "run")
    with fake_metric("mean_px", mean_pixel), fake_metric("low_px", mean_pixel, higher_is_better=False):
        assert main(["evaluate", str(run_dir), "--metrics", "mean_px,low_px", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["metric", "value", "better", "samples", "seconds"]
    row = lines[1].split()
    record = json.loads((run_dir / "eval" / "mean_px.json").read_text())
    assert row[0] == "mean_px" and float(row[1]) == pytest.approx(record["value"], rel=1e-5)
    assert row[2:4] == ["higher", "32"] and lines[2].split()[2] == "lower"
    assert "step 2" in lines[3] and "seed 1" in lines[3]
    assert str(run_dir / "eval") in lines[4] and "mean_px.json, low_px.json" in lines[4]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--metrics", "nope"], "unknown metric 'nope'"),
        (["--metrics", "mean_px,ring_only"], "not for 'mnist'"),
        (["--metrics", "mean_px", "--checkpoint", "best"], "no checkpoints/best.pt"),
        (["--metrics", "mean_px", "--checkpoint", "nowhere.pt"], "not found"),
    ],
)
def test_evaluate_user_errors_are_one_line_and_write_nothing(tiny_run, tmp_path, capsys, args, fragment):
    run_dir = shutil.copytree(tiny_run, tmp_path / "run")
    with fake_metric("mean_px", mean_pixel), fake_metric("ring_only", mean_pixel, datasets=("ring-8",)):
        assert main(["evaluate", str(run_dir), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not (run_dir / "eval").exists()


def test_metrics_lists_the_protocols(capsys):
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("fd_lenet "))
    assert "lower is better" in line and "mnist" in line
    assert "comparable to:" in out and "confident_lenet" in out


def test_version_prints_the_installed_version_and_exits_0():
    from importlib.metadata import version

    proc = run_cli("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"zerosum {version('zerosum')}" == f"zerosum {zerosum.__version__}"


def test_presets_show_steps_and_a_measured_time(capsys):
    from zerosum.timings import measured, preset_rows

    rows = preset_rows()
    assert all(r.minutes is not None for r in rows), "re-measure: python benchmarks/preset_times.py --write"
    assert set(measured()) >= {r.name for r in rows}
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    demo = next(line for line in out.splitlines() if line.startswith("demo "))
    assert "2,400 steps" in demo and "min" in demo
    assert "times: a whole run (steps, previews, checkpoints) measured on " in out
