"""Which numeric fast paths a run uses: `train.amp` and `train.channels_last` set to "auto" become concrete here.

The rules were chosen by measurement (`benchmarks/throughput.py`, numbers in docs/performance.md):

- bf16 autocast pays off only where the hardware computes in bf16: on an AVX2-only CPU oneDNN has no bf16
  kernels and a DCGAN step ran 27× *slower* than fp32. So on the CPU it is chosen for convolutional models when
  oneDNN reports native bf16 (AVX-512 or AMX), and never for the small MLPs, whose steps are dominated by
  overhead rather than arithmetic. On a GPU: bf16 where supported, else fp16 with a gradient scaler (one
  GradScaler per optimiser, saved in checkpoints).
- channels_last (NHWC) suits oneDNN's and cuDNN's convolution kernels: 1.1–1.2× on DCGAN steps on an AVX2 CPU.
  It is meaningless for MLPs.

The resolved values are written into the run's config.yaml, so a resumed run keeps the numerics it started with.
"""

from __future__ import annotations

import logging

import torch

from zerosum.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)


def cpu_has_bf16() -> bool:
    """Whether oneDNN has native bf16 kernels on this CPU (AVX-512 or AMX); emulated bf16 is far slower than fp32."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def fully_connected(model: ModelConfig) -> bool:
    """Whether the models are MLPs (no convolutions for bf16 or NHWC to speed up)."""
    return model.arch == "mlp" or (model.arch == "ssgan" and model.layout == "mlp")


def _choose_amp(model: ModelConfig, image: bool, device: torch.device) -> tuple[str, str]:
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return "bf16", "this GPU computes in bf16"
        return "fp16", "this GPU lacks bf16; fp16 with a gradient scaler"
    if not image or fully_connected(model):
        return "off", "small MLPs gain nothing from bf16"
    if cpu_has_bf16():
        return "bf16", "this CPU has native bf16 (oneDNN)"
    return "off", "no native bf16 on this CPU: it needs AVX-512 or AMX, and emulated bf16 is far slower than fp32"


def _choose_channels_last(model: ModelConfig, image: bool) -> tuple[bool, str]:
    if image and not fully_connected(model):
        return True, "convolutional model"
    return False, "no convolutions"


def resolve_fast_paths(train: TrainConfig, model: ModelConfig, data_shape: tuple[int, ...], device) -> str:
    """Replace "auto" in `train.amp` / `train.channels_last` by this machine's choice; returns a line saying what
    was used and why (explicit settings are reported as the user's)."""
    device = torch.device(device)
    image = len(data_shape) == 3
    parts = []
    if train.amp == "auto":
        train.amp, why = _choose_amp(model, image, device)
    else:
        why = "set in the config"
    parts.append(f"amp={train.amp} ({why})")
    if train.channels_last == "auto":
        train.channels_last, why = _choose_channels_last(model, image)
    else:
        why = "set in the config"
    parts.append(f"channels_last={'on' if train.channels_last else 'off'} ({why})")
    parts.append(f"reuse_fake={'on' if train.reuse_fake else 'off'}")
    threads = torch.get_num_threads()
    where = "" if device.type == "cuda" else f" ({threads} thread{'s' if threads > 1 else ''})"
    return f"fast paths on {device}{where}: " + ", ".join(parts)


def autocast(device: torch.device, amp: str):
    """The autocast context for `amp` (off: a context that does nothing)."""
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(amp)
    return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)


def grad_scaler(device: torch.device, amp: str) -> torch.amp.GradScaler:
    """fp16 gradients underflow without loss scaling; for bf16 and fp32 the scaler is a disabled pass-through."""
    return torch.amp.GradScaler(device.type, enabled=amp == "fp16")
