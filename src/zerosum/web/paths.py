"""Which files the server may read: only what lies under RUNS_DIR, named by a relative path.

A name is refused before the filesystem is asked when it is absolute, holds `..`, a backslash or a control
character; after resolving, the real path (symlinks followed) must still lie under RUNS_DIR's real path, so a
symlink that points out is refused too. The listing walks RUNS_DIR without following symlinked folders.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from zerosum.errors import ZerosumError

CONFIG = "config.yaml"
SKIP = {"checkpoints", "samples", "tb", "eval", "explore", "node_modules", "__pycache__"}
MAX_DEPTH = 5
MAX_RUNS = 500


class NotFound(ZerosumError):
    """A name that is not a run (or file) under RUNS_DIR: the server answers 404."""


@dataclass(frozen=True)
class RunsRoot:
    root: Path

    @classmethod
    def at(cls, folder: str | os.PathLike) -> RunsRoot:
        path = Path(folder)
        if not path.is_dir():
            raise ZerosumError(f"{folder}: no such folder; give the folder that holds your runs (e.g. runs)")
        return cls(path.resolve())

    def resolve(self, name: str) -> Path:
        """The real path of `name` under the root, or NotFound (the same answer for outside and absent)."""
        if not isinstance(name, str) or not name or len(name) > 1000:
            raise NotFound("name a run by its path under the runs folder, e.g. demo")
        pure = PurePosixPath(name)
        if pure.is_absolute() or "\\" in name or any(ord(ch) < 32 for ch in name) or ".." in pure.parts:
            raise NotFound(f"{name!r} is not a path under the runs folder")
        path = (self.root / pure).resolve()
        if not path.is_relative_to(self.root) or not path.exists():
            raise NotFound(f"{name!r} is not under the runs folder")
        return path

    def run(self, name: str) -> Path:
        path = self.resolve(name)
        if not (path / CONFIG).is_file():
            raise NotFound(f"{name!r} is not a run (it holds no {CONFIG})")
        return path

    def file(self, name: str, inner: str) -> Path:
        """A file of a run (e.g. samples.png), resolved like any name: a symlink out is refused."""
        path = self.resolve(f"{name.rstrip('/')}/{inner}")
        if not path.is_file():
            raise NotFound(f"{name!r} has no {inner}")
        return path

    def name_of(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() or "."

    def listing(self) -> dict[str, list[dict[str, Any]]]:
        """The runs and the reproduce records under the root."""
        runs, records = [], []
        for folder, dirs, files in os.walk(self.root, followlinks=False):
            here = Path(folder)
            depth = len(here.relative_to(self.root).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP and depth < MAX_DEPTH)
            if CONFIG in files and len(runs) < MAX_RUNS:
                runs.append(describe_run(here, self.name_of(here)))
                dirs[:] = []  # a run holds no runs
            if here.name == "results":
                records += [
                    describe_record(here / f, self.name_of(here / f)) for f in sorted(files) if f.endswith(".json")
                ]
        return {"runs": runs, "records": [r for r in records if r is not None]}


def _latest_step(run: Path) -> int | None:
    try:
        return int(json.loads((run / "checkpoints" / "latest.json").read_text())["step"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def describe_run(run: Path, name: str) -> dict[str, Any]:
    """What the runs list shows, from config.yaml alone (no torch, no checkpoint)."""
    try:
        cfg = yaml.safe_load((run / CONFIG).read_text()) or {}
    except (OSError, yaml.YAMLError):
        cfg = {}
    model, data, info = cfg.get("model") or {}, cfg.get("data") or {}, cfg.get("data_info") or {}
    return {
        "name": name,
        "preset": cfg.get("preset"),
        "description": cfg.get("description"),
        "arch": model.get("arch"),
        "data": data.get("name"),
        "kind": info.get("kind"),
        "shape": info.get("shape"),
        "step": _latest_step(run),
        "steps": (cfg.get("train") or {}).get("steps"),
        "preview": (run / "samples.png").is_file(),
    }


def describe_record(path: Path, name: str) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or "budgets" not in record:
        return None
    return {"name": name, "title": record.get("title", path.stem), "budgets": sorted(record["budgets"])}
