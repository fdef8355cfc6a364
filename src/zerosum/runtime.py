"""Where computation runs: device choice and CPU threads."""

from __future__ import annotations

import torch

from zerosum.errors import ConfigError


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' picks CUDA when present, else the CPU; an explicit device must exist."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ConfigError(f"train.device={name!r} is not a device; use auto, cpu or cuda[:N]") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"train.device={name!r} but no CUDA GPU is available; use --set train.device=cpu")
    return device


def set_threads(threads: int | None) -> None:
    if threads is not None:
        torch.set_num_threads(threads)
