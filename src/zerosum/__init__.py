"""zerosum: Generative Adversarial Networks in PyTorch — the GAN and DCGAN papers, trained, measured, explored.

The API (which needs torch, seconds to import) loads on first use of one of its names (PEP 562), so that the CLI
starts at once, `zerosum --help` never waits for torch, and Ctrl-C during that import reaches the CLI's handler.
`list_metrics` reads the protocols' torch-free catalogue, so it loads no torch at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zerosum.errors import CheckpointError, ConfigError, DataError, DivergenceError, ZerosumError
from zerosum.lazy import lazy_attributes
from zerosum.version import VERSION

if TYPE_CHECKING:
    from zerosum.api import evaluate, make_config, resume, train
    from zerosum.fewlabels.augment import augment
    from zerosum.fewlabels.classify import split_accuracy
    from zerosum.metrics import list_metrics
    from zerosum.report import write_report
    from zerosum.run import Run, load_run
    from zerosum.sampling import Samples, sample
    from zerosum.translation.translate import translate, upscale

__version__ = VERSION  # from the installed package metadata (zerosum.version), without torch

# public name → the module that defines it
_LAZY = {
    "augment": "zerosum.fewlabels.augment",
    "split_accuracy": "zerosum.fewlabels.classify",
    "evaluate": "zerosum.api",
    "list_metrics": "zerosum.metrics",
    "make_config": "zerosum.api",
    "resume": "zerosum.api",
    "train": "zerosum.api",
    "Run": "zerosum.run",
    "load_run": "zerosum.run",
    "Samples": "zerosum.sampling",
    "sample": "zerosum.sampling",
    "translate": "zerosum.translation.translate",
    "upscale": "zerosum.translation.translate",
    "write_report": "zerosum.report",
}

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DataError",
    "DivergenceError",
    "Run",
    "Samples",
    "ZerosumError",
    "augment",
    "evaluate",
    "list_metrics",
    "load_run",
    "make_config",
    "resume",
    "sample",
    "split_accuracy",
    "train",
    "translate",
    "upscale",
    "write_report",
]


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
