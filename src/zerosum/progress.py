"""Progress with an ETA for every wait longer than a couple of seconds, in the style of training's bar.

On a terminal it is a tqdm bar (dynamic width) that appears only once the wait has lasted `DELAY` seconds, so
instant work stays silent. On any other stream (a log file, CI) it prints plain lines such as
`Inception features: 400/2000 img, eta 5m12s` — only after `DELAY` seconds, at each 5% of the work at most every
`MIN_GAP` seconds, and at least every `HEARTBEAT` seconds — so logs stay readable. `ZEROSUM_PROGRESS=0` turns it
off, and ranks other than 0 of a torchrun job stay quiet (rank 0 speaks for all, as in training).
"""

from __future__ import annotations

import math
import os
import sys
import time
from types import TracebackType
from typing import Any, BinaryIO, TextIO

DELAY = 2.0  # seconds of silence before anything is shown
MIN_GAP = 5.0  # plain lines: at least this long between two 5% lines
HEARTBEAT = 60.0  # plain lines: one at least this often, even when 5% of the work takes longer
STEPS = 20  # plain lines: one per 1/STEPS of the work
OFF = ("0", "false", "no", "off")


def progress_enabled() -> bool:
    """False when ZEROSUM_PROGRESS says off, or on a torchrun rank other than 0."""
    if os.environ.get("ZEROSUM_PROGRESS", "1").strip().lower() in OFF:
        return False
    return os.environ.get("RANK", "0") == "0"


def duration(seconds: float) -> str:
    """'31s', '2m05s', '1h02m': short enough for a log line."""
    if not math.isfinite(seconds):
        return "?"
    s = max(int(round(seconds)), 0)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def amounts(n: float, total: float, unit: str) -> str:
    """'40/200 img'; bytes in the decimal unit that suits the total: '1.5/163.0 MB'."""
    if unit != "B":
        return f"{n:g}/{total:g} {unit}"
    scale, name = next(((s, u) for s, u in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")) if total >= s), (1, "B"))
    digits = 1 if scale > 1 else 0
    return f"{n / scale:.{digits}f}/{total / scale:.{digits}f} {name}"


class Progress:
    """Counts work done towards `total`; shows it as a bar (terminal) or plain lines (anything else).

    Use as a context manager, or call `close()`; `update(n)` adds n units of work.
    """

    def __init__(self, total: int, desc: str, unit: str, stream: TextIO, enabled: bool, delay: float) -> None:
        self.total = max(int(total), 0)
        self.desc = desc
        self.unit = unit
        self.n = 0
        self._stream = stream
        self._delay = delay
        self._t0 = time.monotonic()
        self._last: float | None = None  # when the last plain line was printed
        self._next = 0.0  # the work count of the next 5% line
        self._bar: Any = None
        self._mode = "off" if not enabled else ("tty" if _isatty(stream) else "text")
        if self._mode == "tty":
            from tqdm import tqdm

            extra = {"unit_scale": True, "unit_divisor": 1000} if unit == "B" else {}
            self._bar = tqdm(
                total=self.total, desc=desc, unit=unit, file=stream, dynamic_ncols=True, delay=delay,
                smoothing=0.05, leave=None, **extra,
            )  # fmt: skip

    def update(self, n: int = 1) -> None:
        self.n += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._mode == "text":
            self._maybe_print()

    def update_to(self, n: int) -> None:
        """Move forward to `n` units done (e.g. a file's read position); never backwards."""
        if n > self.n:
            self.update(n - self.n)

    def _maybe_print(self) -> None:
        now = time.monotonic()
        elapsed = now - self._t0
        if elapsed < self._delay or self.total == 0:
            return
        done = self.n >= self.total
        since = math.inf if self._last is None else now - self._last
        if done or since >= HEARTBEAT or (self.n >= self._next and since >= MIN_GAP):
            self._print(now, elapsed, done)
            if done:
                self._mode = "off"  # one closing line, whatever comes after

    def _print(self, now: float, elapsed: float, done: bool) -> None:
        step = self.total / STEPS
        self._next = (math.floor(self.n / step) + 1) * step
        self._last = now
        amount = amounts(self.n, self.total, self.unit)
        if done:
            tail = f"done in {duration(elapsed)}"
        else:
            rate = self.n / max(elapsed, 1e-9)
            tail = f"eta {duration((self.total - self.n) / rate) if rate > 0 else '?'}"
        print(f"{self.desc}: {amount}, {tail}", file=self._stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._mode = "off"

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class ReadProgress:
    """A binary file wrapper that moves `bar` (unit "B") to the file's position on each read, so a sequential
    pass through an archive (gzip, tar) shows bytes read; everything else is passed to the file."""

    def __init__(self, file: BinaryIO, bar: Progress) -> None:
        self._file = file
        self._bar = bar

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._bar.update_to(self._file.tell())
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or minimal stream
        return False


def progress(
    total: int,
    desc: str,
    unit: str = "it",
    *,
    stream: TextIO | None = None,
    enabled: bool | None = None,
    delay: float | None = None,
) -> Progress:
    """A progress display for `total` units of work (unit "B": bytes, shown in kB, MB or GB), on stderr by default.

    `enabled=None` follows `progress_enabled()`; `delay=None` uses `DELAY`.
    """
    return Progress(
        total,
        desc,
        unit,
        stream if stream is not None else sys.stderr,
        progress_enabled() if enabled is None else enabled,
        DELAY if delay is None else delay,
    )


__all__ = ["DELAY", "Progress", "ReadProgress", "amounts", "duration", "progress", "progress_enabled"]
