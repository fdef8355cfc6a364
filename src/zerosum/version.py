"""The installed version, in a module of its own so `zerosum --version` reads it without importing torch."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def _installed() -> str:
    """The version pyproject.toml gave the installed distribution: one place to change it."""
    try:
        return version("zerosum")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


VERSION = _installed()
