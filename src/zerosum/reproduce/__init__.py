"""`zerosum reproduce`: the papers' experiments as one command each, with a results table against published numbers.

Importing this package registers every experiment (see `catalogue.py`) without importing torch, so listing them is
instant; an experiment's module loads when it runs. See `registry.py` for how one is written.
"""

from zerosum.reproduce import catalogue  # noqa: F401  (declares the experiments)
from zerosum.reproduce.registry import BUDGETS, Experiment, Outcome, Row, check_budget, experiments, get
from zerosum.reproduce.report import write_index
from zerosum.reproduce.runner import parse_params, reproduce

__all__ = [
    "BUDGETS",
    "Experiment",
    "Outcome",
    "Row",
    "check_budget",
    "experiments",
    "get",
    "parse_params",
    "reproduce",
    "write_index",
]
