"""zerosum: Generative Adversarial Networks in PyTorch — the GAN and DCGAN papers, trained, measured, explored."""

from zerosum.api import evaluate, list_metrics, make_config, resume, train
from zerosum.errors import CheckpointError, ConfigError, DataError, DivergenceError, ZerosumError
from zerosum.run import Run, load_run
from zerosum.sampling import Samples, sample

__version__ = "0.1.0"

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
