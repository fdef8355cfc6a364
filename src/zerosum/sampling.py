"""Drawing samples from a trained run: batched, seeded, under inference mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from zerosum.atomic import atomic_write_bytes
from zerosum.errors import ConfigError
from zerosum.images import make_grid, save_png
from zerosum.run import Run


@dataclass
class Samples:
    images: torch.Tensor  # float, in the generator's output range (or points)
    z: torch.Tensor
    y: torch.Tensor | None
    value_range: tuple[float, float] | None


@torch.inference_mode()
def sample(run: Run, n: int, seed: int = 0, labels: list[int] | None = None, batch_size: int = 500) -> Samples:
    """n samples from the run's generator; `labels` (conditional runs) cycles over the given classes."""
    if n < 1:
        raise ConfigError(f"--n {n}: ask for at least one sample")
    G = run.generator
    gen = torch.Generator().manual_seed(seed)
    z = G.sample_z(n, generator=gen)
    y = None
    if run.config.model.conditional:
        k = run.config.data_info.num_classes
        if labels:
            bad = [c for c in labels if not 0 <= c < k]
            if bad:
                raise ConfigError(f"--labels {bad}: this run has classes 0..{k - 1}")
            y = torch.tensor(labels)[torch.arange(n) % len(labels)]
        else:
            y = torch.arange(n) % k
    elif labels:
        raise ConfigError("--labels needs a conditional run (model.conditional=true)")
    chunks = []
    for start in range(0, n, batch_size):
        zb = z[start : start + batch_size].to(run.device)
        yb = y[start : start + batch_size].to(run.device) if y is not None else None
        chunks.append(G(zb, yb).float().cpu())
    return Samples(torch.cat(chunks), z, y, G.output_range)


def save_grid(samples: Samples, path: Path, nrow: int | None = None) -> Path:
    n = len(samples.images)
    grid = make_grid(samples.images, nrow=nrow or max(int(np.sqrt(n)), 1), value_range=samples.value_range)
    save_png(Path(path), grid)
    return Path(path)


def save_npz(samples: Samples, path: Path) -> Path:
    """Raw samples (uint8 images, or float points) with their z and labels, for later verbs and metrics."""
    import io

    arrays = {"z": samples.z.numpy()}
    if samples.value_range is not None:
        lo, hi = samples.value_range
        unit = ((samples.images - lo) / (hi - lo)).clamp(0, 1)
        arrays["images"] = (unit * 255).round().to(torch.uint8).numpy()
    else:
        arrays["points"] = samples.images.numpy()
    if samples.y is not None:
        arrays["labels"] = samples.y.numpy()
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(Path(path), lambda f: f.write(buf.getvalue()))
    return Path(path)
