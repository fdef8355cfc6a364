"""Drawing samples from a trained run: batched, seeded, under inference mode; and saving them."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from zerosum.atomic import atomic_write_bytes
from zerosum.config import RunConfig
from zerosum.errors import ConfigError
from zerosum.images import make_grid, png_bytes, save_png, to_uint8
from zerosum.rejection import rejection_discriminator, rejection_sample
from zerosum.run import Run, as_run, require_gan

log = logging.getLogger("zerosum")

SAVE_KINDS = "a .png (a grid), a .npz (raw samples) or a folder without extension (one PNG per sample)"


@dataclass
class Samples:
    """What `sample` drew, with the noise (and labels) that made it, so later verbs can reuse or save it."""

    images: torch.Tensor  # float, in the generator's output range (or points)
    z: torch.Tensor
    y: torch.Tensor | None
    value_range: tuple[float, float] | None

    def save(self, path: str | os.PathLike, nrow: int | None = None) -> Path:
        """Save by what `path` names: a .png grid (a scatter for points), a .npz of the raw samples, or a folder
        (no extension, or an existing empty one) of one PNG per sample, so callers need not pick the writer."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".npz":
            return save_npz(self, path)
        if suffix == ".png" and self.value_range is None:
            from zerosum.plots import plot_points

            plot_points(None, self.images.numpy(), path, title=f"{len(self.images)} samples")
            return path
        if suffix == ".png":
            return save_grid(self, path, nrow=nrow)
        if not suffix or path.is_dir():
            return save_png_dir(self, path)
        raise ConfigError(f"cannot save samples as {path}: give {SAVE_KINDS}")


def class_index(cfg: RunConfig, labels: Sequence[int | str]) -> list[int]:
    """Labels as class indices: an int (or a string of one) is an index, as it always was; any other string is a
    class name recorded in the run's config.yaml (data_info.classes). One-line ConfigError for unknown ones."""
    k = cfg.data_info.num_classes
    names = list(cfg.data_info.classes)
    out, unknown = [], []
    for label in labels:
        text = str(label).strip()
        try:
            out.append(int(text))
            continue
        except ValueError:
            pass
        if text in names:
            out.append(names.index(text))
        else:
            unknown.append(text)
    if unknown:
        what = ", ".join(map(repr, unknown))
        if not names:
            raise ConfigError(f"--labels {what}: this run records no class names; give class indices 0..{k - 1}")
        raise ConfigError(
            f"--labels {what}: not a class of this run; its classes are {', '.join(names)} (or 0..{k - 1})"
        )
    bad = [c for c in out if not 0 <= c < k]
    if bad:
        raise ConfigError(f"--labels {bad}: this run has classes 0..{k - 1}")
    return out


@torch.inference_mode()
def generate(run: Run, z: torch.Tensor, y: torch.Tensor | None = None, batch_size: int = 256) -> torch.Tensor:
    """G(z) (the run's sampling generator: the EMA copy when it kept one) as float CPU images in G's output range,
    in batches on the run's device."""
    require_gan(run, "sampling")
    G = run.generator
    out = []
    for start in range(0, len(z), batch_size):
        zb = z[start : start + batch_size].to(run.device)
        yb = y[start : start + batch_size].to(run.device) if y is not None else None
        out.append(G(zb, yb).float().cpu())
    return torch.cat(out)


@torch.inference_mode()
def sample(
    run: Run | str | os.PathLike,
    n: int,
    seed: int = 0,
    labels: Sequence[int | str] | None = None,
    batch_size: int = 500,
    *,
    checkpoint: str | os.PathLike | None = None,
    device: str | torch.device | None = None,
) -> Samples:
    """n samples from a run's generator; `labels` (conditional runs: indices or class names) cycles over the
    given classes. `run` is a loaded Run or a run directory / export, loaded with `checkpoint` and `device`."""
    if n < 1:
        raise ConfigError(f"--n {n}: ask for at least one sample")
    run = require_gan(as_run(run, checkpoint, device), "sample")
    G = run.generator
    gen = torch.Generator().manual_seed(seed)

    def forward(z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return generate(run, z, y, batch_size)

    if labels and not run.config.model.conditional:
        raise ConfigError("--labels needs a conditional run (model.conditional=true)")
    if run.config.sample.rejection == "drs":
        if run.D is not None:  # burn-in, candidates and coin flips all come from the seeded generator
            images, z = rejection_sample(G, rejection_discriminator(run), n, gen, run.config.sample, run.device,
                                         forward)  # fmt: skip
            return Samples(images, z, None, G.output_range)
        log.warning("%s has no discriminator (a generator export): sampling without rejection", run.path)
    z = G.sample_z(n, generator=gen)
    y = None
    if run.config.model.conditional:
        if labels:
            y = torch.tensor(class_index(run.config, labels))[torch.arange(n) % len(labels)]
        else:
            y = torch.arange(n) % run.config.data_info.num_classes
    return Samples(forward(z, y), z, y, G.output_range)


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


def check_png_dir(folder: str | os.PathLike) -> Path:
    """A folder the PNGs may go to: new or empty, so the files in it are exactly one draw of samples."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--png-dir {folder} is a file; name a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise ConfigError(f"--png-dir {folder} already holds files; name a new or empty folder, or remove it")
    return folder


def png_name(i: int, n: int) -> str:
    """000000.png, 000001.png, …: zero-padded (six digits, more past a million) so names sort as numbers."""
    return f"{i:0{max(6, len(str(n - 1)))}d}.png"


def save_png_dir(samples: Samples, folder: str | os.PathLike) -> Path:
    """One PNG per sample (FOLDER/000000.png, …), as FID tools read them.

    The files are written into a hidden folder beside FOLDER, which is renamed to FOLDER only when every file is
    complete: an error or a crash leaves no half-filled FOLDER. That rename is what makes the folder atomic, so the
    files themselves are plain writes (a temp file and two fsyncs per PNG made 2,000 PNGs 7× slower). FOLDER must be
    new or empty (see check_png_dir).
    """
    folder = check_png_dir(folder)
    if samples.value_range is None:
        raise ConfigError("--png-dir writes images; this run's samples are points (use --npz)")
    pixels = to_uint8(samples.images, samples.value_range)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.{secrets.token_hex(4)}.tmp"
    tmp.mkdir()
    try:
        for i, image in enumerate(pixels):
            (tmp / png_name(i, len(pixels))).write_bytes(png_bytes(image))
        check_png_dir(folder)  # again: nothing may have arrived there while the PNGs were written
        if folder.is_dir():
            folder.rmdir()
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
