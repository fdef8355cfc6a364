"""What the server keeps between requests: loaded runs (a few, newest checkpoint first), derived directions, and
the completion jobs that run in the background while the page polls their progress."""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zerosum.errors import ZerosumError
from zerosum.progress import Progress

MAX_LOADED = 4
MAX_RUNNING_JOBS = 1  # completion searches at a time: each keeps a core busy for seconds to minutes
KEEP_JOBS = 32
JOB_TTL_S = 3600


class Busy(ZerosumError):
    """Too much work at once: the server answers 429."""


def _checkpoint_key(run_dir: Path) -> tuple:
    """What changes when a run saves a newer checkpoint, so a cached run is reloaded then."""
    latest = run_dir / "checkpoints" / "latest.json"
    try:
        st = latest.stat()
        return (st.st_mtime_ns, st.st_size)
    except OSError:
        return ()


class RunCache:
    """Loaded runs by path, the least recently used dropped past MAX_LOADED; values derived from a run (its
    principal directions, a dataset's images) live and die with it."""

    def __init__(self, size: int = MAX_LOADED) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._runs: OrderedDict[Path, tuple[tuple, Any, dict]] = OrderedDict()

    def get(self, run_dir: Path):
        import zerosum

        key = _checkpoint_key(run_dir)
        with self._lock:
            hit = self._runs.get(run_dir)
            if hit is not None and hit[0] == key:
                self._runs.move_to_end(run_dir)
                return hit[1]
        run = zerosum.load_run(run_dir)
        with self._lock:
            self._runs[run_dir] = (key, run, {})
            self._runs.move_to_end(run_dir)
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)
        return run

    def derived(self, run_dir: Path, name: str, make: Callable[[], Any]) -> Any:
        """`make()` once per loaded run and `name`."""
        self.get(run_dir)
        with self._lock:
            extras = self._runs[run_dir][2] if run_dir in self._runs else {}
            if name in extras:
                return extras[name]
        value = make()
        with self._lock:
            extras[name] = value
        return value


@dataclass
class Job:
    id: str
    total: int
    bar: Progress
    status: str = "running"
    preview: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def view(self) -> dict[str, Any]:
        elapsed = (self.ended or time.monotonic()) - self.started
        return {
            "id": self.id, "status": self.status, "done": self.bar.n, "total": self.total, "seconds": round(elapsed, 2),
            "preview": self.preview, "result": self.result, "error": self.error,
        }  # fmt: skip


class Jobs:
    """Background work with progress (completion searches), at most MAX_RUNNING_JOBS at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def start(self, total: int, work: Callable[[Job], dict[str, Any]]) -> Job:
        with self._lock:
            self._forget_old()
            if sum(j.status == "running" for j in self._jobs.values()) >= MAX_RUNNING_JOBS:
                raise Busy("a completion is already running; wait for it to finish, then try again")
            job = Job(secrets.token_urlsafe(12), total, Progress(total, "job", "step", sys.stderr, False, 0.0))
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True, name=f"job-{job.id}").start()
        return job

    def _run(self, job: Job, work: Callable[[Job], dict[str, Any]]) -> None:
        try:
            job.result = work(job)
            job.status = "done"
        except ZerosumError as err:
            job.error, job.status = str(err), "error"
        except Exception as err:  # noqa: BLE001 - reported to the page as one line; the server goes on
            job.error, job.status = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}", "error"
        finally:
            job.ended = time.monotonic()

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            from zerosum.web.paths import NotFound

            raise NotFound(f"no job {job_id!r}; it ended over an hour ago, or the server restarted")
        return job

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, j in self._jobs.items() if j.ended is not None and now - j.ended > JOB_TTL_S]:
            del self._jobs[key]
        while len(self._jobs) > KEEP_JOBS:
            done = next((k for k, j in self._jobs.items() if j.status != "running"), None)
            if done is None:
                break
            del self._jobs[done]
