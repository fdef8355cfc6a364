"""The experiments of `zerosum reproduce`: each is a function of a `Job` registered with its budgets.

An experiment trains what it needs through `Job.train` (which resumes or reuses a run an earlier invocation left
behind), measures it, and returns an `Outcome`: rows for the results table, figures and a short analysis. The
runner (`runner.py`) times it and writes the pages, so an experiment never touches docs/ itself.

The project's experiments are declared in `catalogue` with their functions' import paths, so listing them
(`zerosum reproduce --list`) needs no torch; an experiment's module loads when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zerosum.errors import ConfigError

BUDGETS = ("fast", "paper")


@dataclass
class Row:
    """One line of docs/RESULTS.md: what was measured, against which published number, and whether it met the goal."""

    metric: str
    value: str
    anchor: str = "—"
    target: str = "—"
    met: bool | None = None  # None: no target for this row (a reference line, a figure-only claim)
    note: str = ""


@dataclass
class Figure:
    path: Path
    caption: str


@dataclass
class Outcome:
    rows: list[Row]
    figures: list[Figure] = field(default_factory=list)
    text: str = ""  # markdown: how the numbers came about, what was tried where a target is missed


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    source: str  # the paper or benchmark it reproduces
    budgets: dict[str, dict[str, Any]]  # budget → parameters the function reads from job.params
    fn: Callable[[Any], Outcome]  # a `LazyFunction` for the catalogue's experiments

    @property
    def summary(self) -> str:
        return f"{self.title} ({self.source})"


_EXPERIMENTS: dict[str, Experiment] = {}


def declare(
    name: str, fn: Callable[[Any], Outcome], *, title: str, source: str, budgets: dict[str, dict[str, Any]]
) -> Experiment:
    """Add an experiment and return it; every budget of BUDGETS must be given, names are unique."""
    missing = [b for b in BUDGETS if b not in budgets]
    if missing:
        raise ValueError(f"experiment {name} lacks budgets {missing}")
    if name in _EXPERIMENTS:
        raise ValueError(f"experiment {name} registered twice")
    experiment = Experiment(name, title, source, budgets, fn)
    _EXPERIMENTS[name] = experiment
    return experiment


def register(
    name: str, title: str, source: str, budgets: dict[str, dict[str, Any]]
) -> Callable[[Callable[[Any], Outcome]], Callable[[Any], Outcome]]:
    """Decorator form of `declare`, for an experiment function at hand (your own)."""

    def add(fn: Callable[[Any], Outcome]) -> Callable[[Any], Outcome]:
        declare(name, fn, title=title, source=source, budgets=budgets)
        return fn

    return add


def experiments() -> list[Experiment]:
    """Every experiment in the order declared: the catalogue's (that of `--list` and RESULTS.md), then yours."""
    return list(_EXPERIMENTS.values())


def get(name: str) -> Experiment:
    if name not in _EXPERIMENTS:
        known = ", ".join(_EXPERIMENTS)
        raise ConfigError(f"no experiment named {name!r}; choose one of: {known} (see `zerosum reproduce --list`)")
    return _EXPERIMENTS[name]


def check_budget(budget: str) -> str:
    if budget not in BUDGETS:
        raise ConfigError(f"--budget {budget!r} is not a budget; use one of: {', '.join(BUDGETS)}")
    return budget
