"""Cheap stand-in protocols for tests of evaluation, so they need neither the LeNets nor Inception."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from zerosum.metrics.registry import REGISTRY, EvalContext, Metric, register


@contextmanager
def fake_metric(
    name: str,
    compute: Callable[[EvalContext], dict[str, Any]],
    *,
    higher_is_better: bool = True,
    datasets: tuple[str, ...] = (),
) -> Iterator[Metric]:
    """Register `compute` as protocol `name` for the body, and remove it afterwards."""
    register(name, f"test protocol {name}", higher_is_better=higher_is_better, comparable="tests", datasets=datasets)(
        compute
    )
    try:
        yield REGISTRY[name]
    finally:
        REGISTRY.pop(name, None)


def mean_pixel(ctx: EvalContext) -> dict[str, Any]:
    """Mean of 32 samples in [0, 1]: cheap, deterministic for a seed, and it reads the shared samples."""
    x = ctx.samples(32)
    return {"value": x.mean(), "n_fake": len(x), "range": [x.min(), x.max()]}


class Scripted:
    """A protocol whose values the test chooses: each call returns the next one."""

    def __init__(self, values: list[float]) -> None:
        self.values = list(values)
        self.calls = 0

    def __call__(self, ctx: EvalContext) -> dict[str, Any]:
        ctx.samples(8)
        self.calls += 1
        return {"value": self.values.pop(0)}
