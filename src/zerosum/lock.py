"""One trainer per run directory: an exclusive `flock` on RUN/.lock, held for the whole training.

Two `zerosum train` (or `--resume`) processes writing the same run would interleave `metrics.jsonl`, write two
TensorBoard streams and race on checkpoints. The lock is taken just before the first write into the run and released
when training returns; the kernel releases it when its holder dies, so a lock file left by a killed process is simply
taken over. The file holds the holder's PID (and host) so the refusal can name it. Under torchrun only rank 0 writes,
so only rank 0 locks.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from zerosum.errors import ConfigError

LOCK_NAME = ".lock"
log = logging.getLogger(__name__)


class RunLockedError(ConfigError):
    """Another live process is training this run directory."""


def _holder(fd: int) -> str:
    """'process 1234 on HOST since 2026-12-01T21:30:02' from the lock file, or '' when it holds nothing readable."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        fields = os.read(fd, 256).decode("utf-8", "replace").split()
    except OSError:
        return ""
    if len(fields) < 3 or not fields[0].isdigit():
        return ""
    pid, host, since = fields[0], fields[1], fields[2]
    here = "" if host == socket.gethostname() else f" on {host}"
    return f"process {pid}{here} since {since}"


def _open_locked(path: Path) -> int:
    """An fd of `path` with the exclusive lock held, or RunLockedError naming the holder."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd) or "another process"
            os.close(fd)
            run = path.parent
            raise RunLockedError(
                f"{run} is being trained by {holder}; wait for it to finish or stop it, then "
                f"`zerosum train --resume {run}` (or choose another --out)"
            ) from None
        try:  # the previous holder may have removed the file between our open and our lock: lock the new one
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


@contextmanager
def run_lock(run_dir: Path, enabled: bool = True) -> Iterator[None]:
    """Hold RUN/.lock for the duration of the block (creating RUN if needed); `enabled=False` is a no-op."""
    if not enabled:
        yield
        return
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / LOCK_NAME
    fd = _open_locked(path)
    try:
        stale = _holder(fd)
        if stale:
            log.info("took over the lock of %s, which is no longer running", stale)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()} {socket.gethostname()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode())
        yield
    finally:
        with suppress(OSError):
            path.unlink(missing_ok=True)  # while still locked: the next taker creates a fresh file
        os.close(fd)
