"""Shared test helpers: tiny, fast configs on real (built-in) MNIST."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps a cache in ./.hypothesis, written while tests are collected: tests never write into the repo.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "zerosum-hypothesis")


def shared_data() -> Path | None:
    """The folder of real datasets named by ZEROSUM_DATA, or None."""
    root = os.environ.get("ZEROSUM_DATA")
    return Path(root) if root and Path(root).is_dir() else None


@pytest.fixture
def data_root() -> Path:
    root = shared_data()
    if root is None:
        pytest.skip("needs the real datasets: ZEROSUM_DATA is unset")
    return root


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """The test models are tiny: one thread avoids OpenMP spin-waits that make them 10x slower on a busy machine."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep each test's cache writes out of the user's home."""
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


TINY_DCGAN = [
    "data.limit=256",
    "data.size=16",
    "model.ngf=8",
    "model.ndf=8",
    "model.nz=8",
    "train.batch_size=16",
    "train.tensorboard=false",
    "train.progress=false",
    "train.sample_every=1000",
]


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """A 3-step DCGAN run on 16×16 MNIST (with an EMA copy of G), shared read-only by the exploring verbs' tests.

    Tests must write their outputs with --out/out= under their own tmp_path, never into this run.
    """
    import zerosum

    out = tmp_path_factory.mktemp("tiny_run") / "run"
    zerosum.train("dcgan-mnist", overrides=[*TINY_DCGAN, "train.steps=3", "train.ema=0.9"], out=out)
    return out


@pytest.fixture(scope="session")
def tiny_run_28(tmp_path_factory) -> Path:
    """Like `tiny_run` at the demo's 28×28, whose G and D take the 7×7 detour (kernel 3) in the middle."""
    import zerosum

    out = tmp_path_factory.mktemp("tiny_run_28") / "run"
    over = [o for o in TINY_DCGAN if not o.startswith("data.size")]
    zerosum.train("dcgan-mnist", overrides=[*over, "data.size=28", "train.steps=2"], out=out)
    return out


@pytest.fixture(autouse=True, scope="session")
def _quiet_progress():
    """Progress output depends on timing; tests (and session fixtures) stay quiet unless they use `show_progress`."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZEROSUM_PROGRESS", "0")
        yield


@pytest.fixture
def show_progress(monkeypatch):
    """Progress on, shown from the first unit of work and at every 5% (no 2-second delay, no gap between lines)."""
    from zerosum import progress

    monkeypatch.setenv("ZEROSUM_PROGRESS", "1")
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "MIN_GAP", 0.0)


@pytest.fixture(scope="session")
def named_run(tmp_path_factory) -> Path:
    """A 1-step conditional DCGAN on a folder of classes cat, dog, fox (recorded in config.yaml's data_info)."""
    import zerosum
    from tests.data.helpers import labeled_files, write_files

    base = tmp_path_factory.mktemp("named_run")
    data = write_files(base / "data", labeled_files({"cat": 10, "dog": 100, "fox": 200}, per_class=4))
    over = [o for o in TINY_DCGAN if not o.startswith("data.limit")]
    over += ["train.batch_size=4", "train.steps=1", "train.ema=0", "train.r1_gamma=0", "model.conditional=true"]
    zerosum.train("dcgan-folder", overrides=[*over, f"data.name={data}"], out=base / "run")
    return base / "run"
