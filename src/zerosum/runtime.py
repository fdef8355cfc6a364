"""Where computation runs: device choice and CPU threads."""

from __future__ import annotations

import os
import platform
from pathlib import Path

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


def describe_hardware(device: torch.device | str = "cpu") -> str:
    """One line naming the processor a number was measured on, for tables that print wall times."""
    from zerosum.training.fastpaths import cpu_has_bf16  # fastpaths imports this module's neighbours

    device = torch.device(device)
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)}, torch {torch.__version__}"
    name = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [x.split(":", 1)[1].strip() for x in cpuinfo.read_text().splitlines() if x.startswith("model name")]
        name = models[0] if models else name
    bf16 = "native bf16" if cpu_has_bf16() else "no native bf16"
    return f"{name}, {os.cpu_count()} cores, {bf16}, torch {torch.__version__}"
