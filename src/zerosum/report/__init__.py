"""`zerosum report`: a run (or a `zerosum reproduce` record) as one self-contained, offline HTML page.

`write_report(path)` is the Python API; training calls it when a run ends (`train.report`, on by default) and
`zerosum serve` shows the same page. The page's plots are inline SVG drawn by a small script of the package's own.
"""

from __future__ import annotations

import os
from pathlib import Path

from zerosum.atomic import atomic_write_text
from zerosum.errors import ConfigError
from zerosum.report.collect import collect_experiment, collect_run, is_experiment_record
from zerosum.report.html import render_html

REPORT = "report.html"


def render_report(path: str | os.PathLike) -> str:
    """The HTML of a run directory's report, or of a reproduce record (results/NAME.json)."""
    path = Path(path)
    if path.is_dir():
        return render_html(collect_run(path))
    if is_experiment_record(path):
        return render_html(collect_experiment(path))
    if not path.exists():
        raise ConfigError(f"{path}: no such run directory or file")
    raise ConfigError(f"{path} is neither a run directory nor a reproduce record (results/NAME.json)")


def default_output(path: str | os.PathLike) -> Path:
    """RUN/report.html for a run; NAME.html beside a reproduce record."""
    path = Path(path)
    return path / REPORT if path.is_dir() else path.with_suffix(".html")


def write_report(path: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write the report of a run (or reproduce record) to `out` (default: `default_output`), atomically."""
    target = Path(out) if out is not None else default_output(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"--out {target}: name an .html file")
    if target.is_dir():
        raise ConfigError(f"--out {target} is a folder; name an .html file")
    html = render_report(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, html)
    return target


__all__ = ["REPORT", "default_output", "render_report", "write_report"]
