"""Atomic file writes: a temp file beside the target, fsynced, then renamed over it.

A crash at any moment leaves either the old file or the new one, never a torn one; a write that fails (a full
disk, a quota) removes its temp file and raises the OSError that caused it. Used for checkpoints, images, plots,
configs and cached models alike.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})  # errnos whose fix is "free space", not "fix the path"


def is_disk_full(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in DISK_FULL


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Sink:
    """The temp file as the writer sees it, remembering the first OSError of a write.

    torch.save turns a failed write inside its zip writer into a RuntimeError ("unexpected pos ..."); keeping the
    OSError lets the caller report the real cause (ENOSPC) instead of a C++ assertion.
    """

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.error: OSError | None = None

    def write(self, data: Any) -> int:
        try:
            return self._f.write(data)
        except OSError as err:
            self.error = self.error or err
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


def atomic_write_bytes(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> Path:
    """Call `write(fileobj)` on a temp file beside `path`, fsync, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    sink: _Sink | None = None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp's 0600 would hide samples and runs from other users
            sink = _Sink(f)
            write(sink)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if sink is not None and sink.error is not None and not isinstance(exc, OSError):
            raise sink.error from None  # the disk's error, not the writer's confusion that followed it
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, lambda f: f.write(text.encode()))
