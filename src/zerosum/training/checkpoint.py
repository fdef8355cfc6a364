"""Atomic checkpoints: nothing a user trains is lost to a crash, and nothing loaded can run code.

A checkpoint is written to a temporary file in the same folder, fsynced, renamed into place, and only then is the
`latest` pointer (a small JSON file, itself replaced atomically) moved to it. A crash at any moment leaves either
the old or the new checkpoint complete. Loading uses `torch.load(weights_only=True)`, which refuses pickled code.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import torch

from zerosum.atomic import atomic_write_bytes, atomic_write_text
from zerosum.errors import CheckpointError

FORMAT = 1
LATEST = "latest.json"
_STEP_FILE = re.compile(r"^step_(\d{8,})\.pt$")


def checkpoint_name(step: int) -> str:
    return f"step_{step:08d}.pt"


def save(folder: Path, step: int, state: dict[str, Any], keep: int = 3) -> Path:
    """Write `state` as checkpoints/step_XXXXXXXX.pt, point `latest` at it, and prune old step files."""
    state = {"format": FORMAT, "step": step, **state}
    path = folder / checkpoint_name(step)
    try:
        atomic_write_bytes(path, lambda f: torch.save(state, f))
        atomic_write_text(folder / LATEST, json.dumps({"checkpoint": path.name, "step": step}) + "\n")
    except OSError as err:
        raise CheckpointError(
            f"could not write checkpoint {path} ({err.strerror or err}); the previous checkpoint is intact — "
            "free disk space and resume"
        ) from None
    for old in step_files(folder)[:-keep]:
        if old != path:
            old.unlink(missing_ok=True)
    return path


def step_files(folder: Path) -> list[Path]:
    """Step checkpoints in the folder, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _STEP_FILE.match(p.name)]
    return sorted(found, key=lambda p: int(_STEP_FILE.match(p.name).group(1)))


def latest(folder: Path) -> Path | None:
    """The checkpoint `latest` points to; falls back to the newest step file if the pointer is missing."""
    pointer = folder / LATEST
    if pointer.is_file():
        try:
            name = json.loads(pointer.read_text())["checkpoint"]
            if (folder / name).is_file():
                return folder / name
        except (ValueError, KeyError, TypeError):
            pass
    files = step_files(folder)
    return files[-1] if files else None


def resolve(run_dir: Path, which: str | os.PathLike = "latest") -> Path:
    """'latest', 'best', a file name inside checkpoints/, or a path → an existing checkpoint file."""
    folder = Path(run_dir) / "checkpoints"
    which = str(which)
    if which == "latest":
        path = latest(folder)
        if path is None:
            raise CheckpointError(f"{run_dir} has no checkpoint yet; train it first (zerosum train --out {run_dir})")
        return path
    for candidate in (folder / f"{which}.pt", folder / which, Path(which)):
        if candidate.is_file():
            return candidate
    raise CheckpointError(f"checkpoint {which!r} not found in {folder}; use 'latest', 'best' or a .pt path")


def load(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint without unpickling arbitrary objects."""
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} does not exist") from None
    except Exception as err:  # any unpickling failure: the file is damaged or not ours
        reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else err.__class__.__name__
        raise CheckpointError(f"cannot load checkpoint {path}: {reason} (corrupt, or not zerosum's)") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a zerosum checkpoint (format {FORMAT} expected)")
    return state
