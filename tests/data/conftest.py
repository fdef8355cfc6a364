"""Fixtures for the data tests: real data via ZEROSUM_DATA, and a guard that no test reaches the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zerosum.data import sources


@pytest.fixture
def real_data() -> Path:
    """The shared folder of real datasets, or skip."""
    root = os.environ.get("ZEROSUM_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("needs the real datasets, skipped because ZEROSUM_DATA is unset")
    return Path(root)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, tmp_path):
    """Any download attempt fails like an offline machine; each test gets its own empty cache."""

    def offline(url, out, timeout=0):
        raise OSError(f"test tried to download {url}")

    monkeypatch.setattr(sources, "fetch", offline)
    monkeypatch.setenv("ZEROSUM_CACHE", str(tmp_path / "cache"))
