"""Atomic checkpoints: nothing a user trains is lost to a crash, and nothing loaded can run code.

A checkpoint is written to a temporary file in the same folder, fsynced, renamed into place, and only then is the
`latest` pointer (a small JSON file, itself replaced atomically) moved to it. A crash at any moment leaves either
the old or the new checkpoint complete. A save that fails (a full disk) removes its temp file, leaves the previous
checkpoint and `latest` as they were, and raises one line naming the folder and the fix. Loading uses
`torch.load(weights_only=True)`, which refuses pickled code.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from zerosum.atomic import atomic_write_bytes, atomic_write_text, is_disk_full
from zerosum.errors import CheckpointError

FORMAT = 1
LATEST = "latest.json"
_STEP_FILE = re.compile(r"^step_(\d{8,})\.pt$")
_STALE_TEMP = re.compile(r"^\.(step_\d{8,}\.pt|latest\.json|best\.pt|best\.json)\..+\.tmp$")  # atomic.py's names


def checkpoint_name(step: int) -> str:
    return f"step_{step:08d}.pt"


def save(folder: Path, step: int, state: dict[str, Any], keep: int = 3, keep_every: int = 0) -> Path:
    """Write `state` as checkpoints/step_XXXXXXXX.pt, point `latest` at it, and prune old step files: all but
    the newest `keep`, sparing those whose step is a multiple of `keep_every` (when it is not 0)."""
    state = {"format": FORMAT, "step": step, **state}
    path = folder / checkpoint_name(step)
    sweep_temp_files(folder)
    try:
        atomic_write_bytes(path, lambda f: torch.save(state, f))
        try:
            atomic_write_text(folder / LATEST, json.dumps({"checkpoint": path.name, "step": step}) + "\n")
        except OSError:
            if latest(folder) != path:  # a complete file `latest` does not name: give its space back
                path.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise write_failed(err, path) from None
    for old in step_files(folder)[:-keep]:
        if old != path and not (keep_every and file_step(old) % keep_every == 0):
            old.unlink(missing_ok=True)
    return path


def write_failed(err: OSError, path: Path) -> CheckpointError:
    """The one-line report of a failed write into a run's checkpoints/ folder (its parent is the run)."""
    folder = Path(path).parent
    fix = f"free space on {folder}" if is_disk_full(err) else f"make {folder} writable"
    return CheckpointError(
        f"could not write {path} ({err.strerror or err}); the previous checkpoint is intact — "
        f"{fix} then `zerosum train --resume {folder.parent}`"
    )


def sweep_temp_files(folder: Path) -> None:
    """Remove temp files that a killed process left half-written: on a full disk they hold the space we need."""
    if folder.is_dir():
        for p in folder.iterdir():
            if _STALE_TEMP.match(p.name):
                p.unlink(missing_ok=True)


def forget_after(folder: Path, step: int) -> None:
    """Delete step checkpoints newer than `step` (a rolled-back trajectory), so neither `latest`'s fallback nor
    pruning can pick them; `latest` itself is re-pointed by the next save."""
    for p in step_files(folder):
        if file_step(p) > step:
            p.unlink(missing_ok=True)


def file_step(path: Path) -> int:
    """The step in a step file's name (step_00001000.pt → 1000)."""
    return int(_STEP_FILE.match(path.name).group(1))


def step_files(folder: Path) -> list[Path]:
    """Step checkpoints in the folder, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _STEP_FILE.match(p.name)]
    return sorted(found, key=file_step)


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


def _first_sentence(text: str) -> str:
    """The first sentence of a library's message, whole: torch appends paragraphs of advice to its reader errors."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    head, sep, _ = line.partition(". ")
    return head.rstrip(".") if sep else line.rstrip(".")


def load(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint without unpickling arbitrary objects."""
    path = Path(path)
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path} does not exist") from None
    except Exception as err:  # any unpickling failure: the file is damaged or not ours
        reason = _first_sentence(str(err)) or err.__class__.__name__
        size = path.stat().st_size if path.is_file() else 0
        raise CheckpointError(
            f"cannot load checkpoint {path} ({size:,} bytes): it is truncated, damaged or not zerosum's ({reason})"
        ) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a zerosum checkpoint (format {FORMAT} expected)")
    return state


@dataclass
class Loaded:
    """A checkpoint that loaded, and the newer ones that did not (each with its one-line reason)."""

    path: Path
    state: dict[str, Any]
    skipped: list[tuple[Path, str]]

    def warning(self) -> str | None:
        """One line naming what was skipped, or None when the newest checkpoint loaded."""
        if not self.skipped:
            return None
        names = ", ".join(p.name for p, _ in self.skipped)
        return f"skipped unreadable {names} in {self.path.parent}; using {self.path.name} (step {self.state['step']})"


def candidates(folder: Path) -> list[Path]:
    """Checkpoints to try for 'latest', best first: the one `latest` points to, then step files newest first."""
    order = [p for p in (latest(folder),) if p is not None]
    order += [p for p in reversed(step_files(folder)) if p not in order]
    return order


def load_newest_readable(folder: Path, map_location: str | torch.device = "cpu") -> Loaded | None:
    """The newest checkpoint that loads; None when the folder holds none.

    A crash cannot truncate a checkpoint (saves are atomic), but a full disk on another tool's copy, a partial
    transfer or a damaged disk can; training then goes on from the newest intact state instead of stopping.
    """
    skipped: list[tuple[Path, str]] = []
    for path in candidates(folder):
        try:
            return Loaded(path, load(path, map_location), skipped)
        except CheckpointError as err:
            skipped.append((path, str(err)))
    if skipped:
        raise CheckpointError(
            f"no readable checkpoint in {folder}: {skipped[0][1]}"
            + (f" (and {len(skipped) - 1} older ones unreadable too)" if len(skipped) > 1 else "")
        )
    return None


def set_aside(paths: list[Path], suffix: str) -> list[Path]:
    """Rename step files out of the way (`step_X.pt` → `step_X.pt.SUFFIX`) so `latest`'s fallback and pruning no
    longer see them; they are kept, not deleted."""
    moved = []
    for p in paths:
        target = p.with_name(f"{p.name}.{suffix}")
        if p.is_file():
            p.replace(target)
            moved.append(target)
    return moved
