"""Metrics whose name is their protocol. Importing this package registers every protocol (see `catalogue`), without
importing torch: a protocol's module loads when it is first computed."""

from zerosum.metrics import catalogue  # noqa: F401  (declares the protocols)
from zerosum.metrics.registry import REGISTRY, EvalContext, Metric, get_metric, list_metrics, parse_metric_list

__all__ = ["REGISTRY", "EvalContext", "Metric", "get_metric", "list_metrics", "parse_metric_list"]
