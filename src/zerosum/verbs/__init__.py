"""CLI verbs that live beside their feature (one module each), found here so cli.py stays a short table.

A verb module defines `add_parser(sub)`, which adds its subparser and sets `handler` (a function of the parsed
arguments returning an exit code). Modules import their heavy dependencies inside the handler, so `zerosum --help`
stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

ORDER = (
    "sample", "interpolate", "arithmetic", "forget", "features", "complete", "upscale", "translate", "augment",
    "classify", "export", "report", "serve",
)  # fmt: skip


def add_output_args(p: argparse.ArgumentParser, verb: str, what: str = "PNG") -> None:
    """--out and --checkpoint, worded alike for every verb that draws a picture and writes its JSON beside it."""
    p.add_argument("--out", help=f"{what} to write (default RUN_DIR/explore/{verb}.png); the JSON goes beside it")
    p.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")


def add_all(sub: argparse._SubParsersAction) -> None:
    """Add every verb module's subparser, the known ones in ORDER first."""
    found = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
    for name in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
