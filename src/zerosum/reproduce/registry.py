"""The experiments of `zerosum reproduce`: each is a function of a `Job` registered with its budgets.

An experiment trains what it needs through `Job.train` (which resumes or reuses a run an earlier invocation left
behind), measures it, and returns an `Outcome`: rows for the results table, figures and a short analysis. The
runner (`runner.py`) times it and writes the pages, so an experiment never touches docs/ itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zerosum.errors import ConfigError

BUDGETS = ("fast", "paper")
# The order of `--list` and RESULTS.md: the GAN paper, the DCGAN paper, then the mode-collapse benchmarks.
ORDER = (
    "toy-1d", "gan-mnist", "dcgan-mnist", "dcgan-fashion", "dcgan-cifar10", "dcgan-faces", "ring-8", "grid-25",
    "stacked-mnist", "dcgan-ablation",
)  # fmt: skip


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
    fn: Callable[[Any], Outcome]

    @property
    def summary(self) -> str:
        return f"{self.title} ({self.source})"


_EXPERIMENTS: dict[str, Experiment] = {}


def register(
    name: str, title: str, source: str, budgets: dict[str, dict[str, Any]]
) -> Callable[[Callable[[Any], Outcome]], Callable[[Any], Outcome]]:
    """Decorator: add an experiment; every budget of BUDGETS must be given."""
    missing = [b for b in BUDGETS if b not in budgets]
    if missing:
        raise ValueError(f"experiment {name} lacks budgets {missing}")

    def add(fn: Callable[[Any], Outcome]) -> Callable[[Any], Outcome]:
        if name in _EXPERIMENTS:
            raise ValueError(f"experiment {name} registered twice")
        _EXPERIMENTS[name] = Experiment(name, title, source, budgets, fn)
        return fn

    return add


def experiments() -> list[Experiment]:
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(_EXPERIMENTS.values(), key=lambda e: rank.get(e.name, len(ORDER)))


def get(name: str) -> Experiment:
    if name not in _EXPERIMENTS:
        known = ", ".join(_EXPERIMENTS)
        raise ConfigError(f"no experiment named {name!r}; choose one of: {known} (see `zerosum reproduce --list`)")
    return _EXPERIMENTS[name]


def check_budget(budget: str) -> str:
    if budget not in BUDGETS:
        raise ConfigError(f"--budget {budget!r} is not a budget; use one of: {', '.join(BUDGETS)}")
    return budget
