"""zerosum: Generative Adversarial Networks in PyTorch — the GAN and DCGAN papers, trained, measured, explored.

The API (which needs torch, seconds to import) loads on first use of one of its names (PEP 562), so that the CLI
starts at once, `zerosum --help` never waits for torch, and Ctrl-C during that import reaches the CLI's handler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from zerosum.errors import CheckpointError, ConfigError, DataError, DivergenceError, ZerosumError
from zerosum.version import VERSION

if TYPE_CHECKING:
    from zerosum.api import evaluate, list_metrics, make_config, resume, train
    from zerosum.run import Run, load_run
    from zerosum.sampling import Samples, sample

__version__ = VERSION  # from the installed package metadata (zerosum.version), without torch

# public name → the module that defines it
_LAZY = {
    "evaluate": "zerosum.api",
    "list_metrics": "zerosum.api",
    "make_config": "zerosum.api",
    "resume": "zerosum.api",
    "train": "zerosum.api",
    "Run": "zerosum.run",
    "load_run": "zerosum.run",
    "Samples": "zerosum.sampling",
    "sample": "zerosum.sampling",
}

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DataError",
    "DivergenceError",
    "Run",
    "Samples",
    "ZerosumError",
    "evaluate",
    "list_metrics",
    "load_run",
    "make_config",
    "resume",
    "sample",
    "train",
]


def __getattr__(name: str) -> Any:
    """Import the module defining a public API name the first time it is asked for, then keep it here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
