"""A folder of runs for the server's tests: a tiny DCGAN, a tiny pix2pix, a ring-8 run, a reproduce record, and
the ways out of the folder that the server must refuse (a symlink to a run outside, a file beside the folder)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import TINY_DCGAN

P2P = ["data.params.n=24", "train.batch_size=4", "train.steps=2", "train.tensorboard=false", "train.progress=false",
       "model.ngf=8", "model.ndf=8"]  # fmt: skip


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory) -> Path:
    import zerosum

    base = tmp_path_factory.mktemp("served")
    root = base / "runs"
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=3", "train.sample_every=1"], out=root / "tiny")
    zerosum.train("pix2pix-shapes", overrides=P2P, out=root / "group" / "p2m")
    zerosum.train("ring-8", overrides=["train.steps=2", "train.tensorboard=false", "train.progress=false"],
                  out=root / "ring")  # fmt: skip
    shutil.copytree(root / "tiny", base / "outside")  # a run the server must not reach
    (base / "secret.txt").write_text("not for the browser")
    (root / "escape").symlink_to(base / "outside", target_is_directory=True)
    (root / "secret-link.txt").symlink_to(base / "secret.txt")
    results = root / "reproduce" / "results"
    (results / "toy").mkdir(parents=True)
    shutil.copyfile(root / "tiny" / "samples.png", results / "toy" / "fast-samples.png")
    row = {"metric": "m", "value": "1", "anchor": "—", "target": "—", "met": None, "note": ""}
    fast = {"command": "zerosum reproduce toy", "hardware": "test CPU", "date": "2026-12-07", "wall_s": 1.0,
            "rows": [row], "figures": [{"file": "toy/fast-samples.png", "caption": "samples"}], "text": ""}  # fmt: skip
    record = {"name": "toy", "title": "A toy experiment", "source": "a test", "budgets": {"fast": fast}}
    (results / "toy.json").write_text(json.dumps(record))
    return root


@pytest.fixture(scope="session")
def client(runs_dir):
    from fastapi.testclient import TestClient

    from zerosum.web.app import create_app

    with TestClient(create_app(runs_dir)) as c:
        yield c


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_server(folder: Path):
    """`zerosum serve FOLDER` as a user starts it, on a free port; yields its base URL, stops it after."""
    port = free_port()
    env = {**os.environ, "ZEROSUM_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "zerosum", "serve", str(folder), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/api/runs", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    proc.kill()
                    pytest.fail(f"zerosum serve did not start: {proc.stdout.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(runs_dir):
    with start_server(runs_dir) as base:
        yield base
